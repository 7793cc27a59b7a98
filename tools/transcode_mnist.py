#!/usr/bin/python3
"""Transcode real MNIST into the CIFAR-10, CIFAR-100 and SVHN format-2 file formats.

THE OUTPUT IS MNIST DIGITS IN CIFAR/SVHN CONTAINERS. IT IS NOT CIFAR AND NOT SVHN.
It exists so the CIFAR and SVHN readers, transforms and the convolutional pipeline run
end to end on real images at the real file sizes (docs/formats.md §3.3); accuracies
obtained on it say nothing about the LAQ paper's CIFAR/SVHN numbers.

    /usr/bin/python3 tools/transcode_mnist.py [--mnist DIR] [--out DIR] [--extra-count N]

Input : DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (default data/mnist,
        put there by tools/get_data.sh mnist).
Output (default under data/):
  cifar10-from-mnist/   data_batch_1..5.bin (MNIST train[0:50000], 10,000 records each),
                        test_batch.bin (t10k), batches.meta.txt, README.txt
                        record = <label><3072 px>, planar R,G,B, each 32x32 row-major
  cifar100-from-mnist/  train.bin (train[0:50000]), test.bin (t10k), README.txt
                        record = <coarse = label // 5><fine = label><3072 px>
  svhn-from-mnist/      train_32x32.mat (73,257 samples: MNIST train cycled from index 0),
                        test_32x32.mat (the 10,000 t10k images),
                        extra_32x32.mat (N samples, default 20,000, continuing the cycle
                        where train stopped), README.txt
                        MAT-file Level 5, X uint8 [32,32,3,N] column-major and y uint8
                        [N,1] (digit 0 -> label 10), each variable one miCOMPRESSED element
Every image: the 28x28 digit with a 2-pixel zero border (32x32), gray copied to R, G, B.
Only the Python standard library is used (struct, zlib, gzip). Files are written to
<name>.tmp and renamed, so an interrupted run leaves no half-written file.
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

BANNER = ("NOTE: these are MNIST digits in CIFAR/SVHN containers (padded to 32x32, gray -> RGB). "
          "They are NOT CIFAR-10, CIFAR-100 or SVHN.")


def die(msg):
    sys.stderr.write("transcode_mnist: error: %s\n" % msg)
    sys.exit(1)


def read_idx(path_base, magic, dims_expected):
    for p in (path_base, path_base + ".gz"):
        if os.path.isfile(p):
            opener = gzip.open if p.endswith(".gz") else open
            with opener(p, "rb") as f:
                data = f.read()
            break
    else:
        die("neither %s nor %s.gz exists (run tools/get_data.sh mnist)" % (path_base, path_base))
    (m,) = struct.unpack(">I", data[:4])
    if m != magic:
        die("%s: magic %d, expected %d" % (p, m, magic))
    nd = magic & 0xFF
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    if dims[1:] != tuple(dims_expected):
        die("%s: dims %s" % (p, dims))
    payload = data[4 + 4 * nd:]
    size = 1
    for d in dims:
        size *= d
    if len(payload) != size:
        die("%s: payload %d bytes, expected %d" % (p, len(payload), size))
    return dims[0], payload


def load_mnist(d, split):
    n, images = read_idx(os.path.join(d, split + "-images-idx3-ubyte"), 2051, (28, 28))
    m, labels = read_idx(os.path.join(d, split + "-labels-idx1-ubyte"), 2049, ())
    if n != m:
        die("%s: %d images but %d labels" % (split, n, m))
    if max(labels) > 9:
        die("%s: label > 9" % split)
    return n, images, labels


ZROW2 = bytes(2)
ZROWS = bytes(2 * 32)


def padded_plane(images, i):
    """Image i as a 32x32 row-major plane with a 2-pixel zero border."""
    img = images[784 * i: 784 * (i + 1)]
    rows = [ZROW2 + img[28 * r: 28 * (r + 1)] + ZROW2 for r in range(28)]
    return ZROWS + b"".join(rows) + ZROWS


def column_major(plane):
    return b"".join(plane[c::32] for c in range(32))


def write_atomic(path, chunks):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def readme(folder, text):
    write_atomic(os.path.join(folder, "README.txt"), [(BANNER + "\n\n" + text + "\n").encode()])


def cifar_records(images, labels, idx, n_labels):
    out = []
    for i in idx:
        plane = padded_plane(images, i)
        lab = labels[i]
        head = bytes([lab]) if n_labels == 1 else bytes([lab // 5, lab])
        out.append(head + plane * 3)
    return out


def tag(t, n):
    return struct.pack("<II", t, n)


def pad8(b):
    return b + bytes((-len(b)) % 8)


def element(t, data):
    if len(data) <= 4:  # small data element
        return struct.pack("<HH", t, len(data)) + data + bytes(4 - len(data))
    return pad8(tag(t, len(data)) + data)


def compressed_matrix(name, mx_class, dims, mi_type, data_chunks, nbytes):
    """miCOMPRESSED element of one real matrix; data_chunks yields the payload."""
    flags = tag(6, 8) + struct.pack("<II", mx_class, 0)
    dimb = pad8(tag(5, 4 * len(dims)) + struct.pack("<" + "i" * len(dims), *dims))
    nameb = element(1, name.encode())
    if nbytes <= 4:
        data = b"".join(data_chunks)
        body = flags + dimb + nameb + element(mi_type, data)
        parts = [tag(14, len(body)) + body]
    else:
        padding = (-nbytes) % 8
        body_len = len(flags) + len(dimb) + len(nameb) + 8 + nbytes + padding
        parts = [tag(14, body_len) + flags + dimb + nameb + tag(mi_type, nbytes)]
        parts = _chain(parts, data_chunks, [bytes(padding)])
    z = zlib.compressobj(6)
    out = [z.compress(p) for p in parts]
    out.append(z.flush())
    out = [o for o in out if o]
    return [tag(15, sum(len(o) for o in out))] + out


def _chain(*its):
    for it in its:
        for x in it:
            yield x


def mat_header():
    text = b"MATLAB 5.0 MAT-file, Platform: laq transcode_mnist.py (MNIST digits, NOT SVHN)"
    return text.ljust(116, b" ") + bytes(8) + struct.pack("<H", 0x0100) + b"IM"


def write_svhn(path, images, labels, idx):
    n = len(idx)

    def pixels():
        batch = []
        for k, i in enumerate(idx):
            batch.append(column_major(padded_plane(images, i)) * 3)
            if len(batch) == 2048 or k == n - 1:
                yield b"".join(batch)
                batch = []

    y = bytes(labels[i] if labels[i] != 0 else 10 for i in idx)
    chunks = [mat_header()]
    chunks += compressed_matrix("X", 9, (32, 32, 3, n), 2, pixels(), 3072 * n)
    chunks += compressed_matrix("y", 9, (n, 1), 2, [y], n)
    write_atomic(path, chunks)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist", default=os.path.join(repo, "data", "mnist"))
    ap.add_argument("--out", default=os.path.join(repo, "data"))
    ap.add_argument("--extra-count", type=int, default=20000)
    a = ap.parse_args()
    print("transcode_mnist: " + BANNER)

    ntr, tr_img, tr_lab = load_mnist(a.mnist, "train")
    nte, te_img, te_lab = load_mnist(a.mnist, "t10k")
    if ntr < 50000:
        die("MNIST train has %d images, need 50,000" % ntr)

    c10 = os.path.join(a.out, "cifar10-from-mnist")
    os.makedirs(c10, exist_ok=True)
    for b in range(5):
        write_atomic(os.path.join(c10, "data_batch_%d.bin" % (b + 1)),
                     cifar_records(tr_img, tr_lab, range(10000 * b, 10000 * (b + 1)), 1))
    write_atomic(os.path.join(c10, "test_batch.bin"), cifar_records(te_img, te_lab, range(nte), 1))
    write_atomic(os.path.join(c10, "batches.meta.txt"), [("".join("digit_%d\n" % d for d in range(10))).encode()])
    readme(c10, "CIFAR-10 binary layout. data_batch_k.bin = MNIST train[10000(k-1):10000k], "
                "test_batch.bin = MNIST t10k. Label = digit.")
    print("transcode_mnist: wrote %s (5 x 10,000 train records, %d test records)" % (c10, nte))

    c100 = os.path.join(a.out, "cifar100-from-mnist")
    os.makedirs(c100, exist_ok=True)
    write_atomic(os.path.join(c100, "train.bin"), cifar_records(tr_img, tr_lab, range(50000), 2))
    write_atomic(os.path.join(c100, "test.bin"), cifar_records(te_img, te_lab, range(nte), 2))
    readme(c100, "CIFAR-100 binary layout. fine label = digit (0..9, so 90 of the 100 fine classes are empty), "
                 "coarse label = digit // 5 (synthetic). train.bin = MNIST train[0:50000], test.bin = t10k.")
    print("transcode_mnist: wrote %s (50,000 train records, %d test records)" % (c100, nte))

    sv = os.path.join(a.out, "svhn-from-mnist")
    os.makedirs(sv, exist_ok=True)
    n_train = 73257
    write_svhn(os.path.join(sv, "train_32x32.mat"), tr_img, tr_lab, [i % ntr for i in range(n_train)])
    write_svhn(os.path.join(sv, "test_32x32.mat"), te_img, te_lab, list(range(nte)))
    write_svhn(os.path.join(sv, "extra_32x32.mat"), tr_img, tr_lab,
               [(n_train + i) % ntr for i in range(a.extra_count)])
    readme(sv, "SVHN format 2 layout (MAT-file Level 5, compressed). train_32x32.mat = 73,257 samples cycling "
               "through MNIST train from index 0; extra_32x32.mat = %d samples continuing that cycle; "
               "test_32x32.mat = MNIST t10k (10,000, not 26,032). y = digit with 0 -> 10." % a.extra_count)
    print("transcode_mnist: wrote %s (train 73,257, test %d, extra %d)" % (sv, nte, a.extra_count))
    print("transcode_mnist: " + BANNER)


if __name__ == "__main__":
    main()

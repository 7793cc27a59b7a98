# laq table --report: run `gnuplot plots.gp` in this folder.
set datafile missing "?"
set datafile separator "\t"
set termoption noenhanced
set terminal pngcairo size 1100,500 font ",11"
set output "learning_curves.png"
set multiplot layout 1,1 title "Validation metric per epoch (mean over seeds; dashed: unfinished runs only)"
set xlabel "epoch"
set logscale y
set grid
set ytics (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100)
set key outside right top vertical
set title "MNIST (mnist-mlp)"
set ylabel "validation error (%)"
plot "curves_mnist-mlp.dat" using 1:2 with linespoints lw 2 pt 1 ps 0.8 lc rgb "#000000" title "full precision", \
     "curves_mnist-mlp.dat" using 1:3 with linespoints lw 2 pt 2 ps 0.8 lc rgb "#e41a1c" title "bc", \
     "curves_mnist-mlp.dat" using 1:4 with linespoints lw 2 pt 3 ps 0.8 lc rgb "#377eb8" title "bwn", \
     "curves_mnist-mlp.dat" using 1:5 with linespoints lw 2 pt 4 ps 0.8 lc rgb "#4daf4a" title "lab", \
     "curves_mnist-mlp.dat" using 1:6 with linespoints lw 2 pt 5 ps 0.8 lc rgb "#984ea3" title "twn", \
     "curves_mnist-mlp.dat" using 1:7 with linespoints lw 2 pt 6 ps 0.8 lc rgb "#ff7f00" title "ttq", \
     "curves_mnist-mlp.dat" using 1:8 with linespoints lw 2 pt 7 ps 0.8 lc rgb "#a65628" title "lat-e", \
     "curves_mnist-mlp.dat" using 1:9 with linespoints lw 2 pt 8 ps 0.8 lc rgb "#f781bf" title "lat-a", \
     "curves_mnist-mlp.dat" using 1:10 with linespoints lw 2 pt 9 ps 0.8 lc rgb "#999999" title "lat2-e", \
     "curves_mnist-mlp.dat" using 1:11 with linespoints lw 2 pt 10 ps 0.8 lc rgb "#66c2a5" title "lat2-a", \
     "curves_mnist-mlp.dat" using 1:12 with linespoints lw 2 pt 11 ps 0.8 lc rgb "#8da0cb" title "dorefa (3 bits)"
unset multiplot
unset logscale y
unset title
set terminal pngcairo size 1100,540 font ",11"
set output "table.png"
set multiplot layout 1,1 title "Test metric at the best-validation epoch (bars: mean over seeds; whiskers: sample std)"
set xlabel "dataset"
set ytics autofreq
set grid ytics
set key outside right top vertical
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:1.5477]
set title "Feedforward networks"
set ylabel "test error (%) at best validation"
plot "table_feedforward.dat" using 2:3:xtic(1) lc rgb "#000000" title "full precision", \
     "table_feedforward.dat" using 4:5 lc rgb "#e41a1c" title "bc", \
     "table_feedforward.dat" using 6:7 lc rgb "#377eb8" title "bwn", \
     "table_feedforward.dat" using 8:9 lc rgb "#4daf4a" title "lab", \
     "table_feedforward.dat" using 10:11 lc rgb "#984ea3" title "twn", \
     "table_feedforward.dat" using 12:13 lc rgb "#ff7f00" title "ttq", \
     "table_feedforward.dat" using 14:15 lc rgb "#a65628" title "lat-e", \
     "table_feedforward.dat" using 16:17 lc rgb "#f781bf" title "lat-a", \
     "table_feedforward.dat" using 18:19 lc rgb "#999999" title "lat2-e", \
     "table_feedforward.dat" using 20:21 lc rgb "#66c2a5" title "lat2-a", \
     "table_feedforward.dat" using 22:23 lc rgb "#8da0cb" title "dorefa (3 bits)", \
     "paper_feedforward.dat" using 1:2 with points pt 5 ps 1.6 lc rgb "#000000" title "paper (early LAB paper)"
unset multiplot

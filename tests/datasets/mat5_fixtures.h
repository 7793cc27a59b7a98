#pragma once
// Test-time writers of CIFAR binary records and MAT-file Level 5 files. The byte builders
// live in support/dataset_bytes.h (shared with the fuzz seed generator); this header keeps
// the test files' include unchanged and adds the file helpers of idx_fixtures.h.
#include "idx_fixtures.h"
#include "support/dataset_bytes.h"

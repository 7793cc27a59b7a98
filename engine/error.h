#pragma once
// laq::Error lives in base/ so that quant/, which may not use engine/, throws the same type.
#include "base/error.h"

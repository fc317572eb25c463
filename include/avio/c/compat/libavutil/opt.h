#include "avio/c/avutil.h"
#include "avio/c/opt.h"

#include "avio/c/avutil.h"
#include "avio/c/mem.h"

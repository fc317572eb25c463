#include "avio/c/error.h"
#include "avio/c/mem.h"
#include "avio/c/dict.h"

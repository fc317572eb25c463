#include "avio/c/dict.h"
#include "avio/c/error.h"
#include "avio/c/mem.h"

#include "avio/c/mem.h"

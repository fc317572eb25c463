#include "avio/c/avutil.h"

#include "avio/c/opt.h"

#include "avio/c/dict.h"

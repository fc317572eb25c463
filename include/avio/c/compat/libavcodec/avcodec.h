#include "avio/c/avcodec.h"

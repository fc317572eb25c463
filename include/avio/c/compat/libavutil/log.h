#include "avio/c/log.h"

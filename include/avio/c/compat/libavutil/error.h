#include "avio/c/error.h"

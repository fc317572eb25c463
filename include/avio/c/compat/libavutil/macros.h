#include "avio/c/macros.h"

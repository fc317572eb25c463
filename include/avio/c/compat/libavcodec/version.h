#include "avio/c/version.h"

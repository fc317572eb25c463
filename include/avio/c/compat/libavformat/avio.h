#include "avio/c/avio.h"

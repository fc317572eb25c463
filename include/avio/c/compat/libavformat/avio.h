#include "avio/c/avio.h"
#include "avio/c/log.h"
#include "avio/c/version.h"

#include "avio/c/avformat.h"

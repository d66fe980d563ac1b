#ifndef CBENCHZLIB_SHIM_H
#define CBENCHZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 is a macro; this wrapper makes it callable from Swift (windowBits 31: gzip framing).
static inline int CBenchZlib_deflateInit2(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
}
#endif

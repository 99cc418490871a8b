/* sluice — the export mark. The library is built with -fvisibility=hidden;
 * only declarations in the installed headers carry SL_EXPORT, so the
 * shared library's surface is exactly its headers (tests/abi checks it). */
#ifndef SLUICE_EXPORT_H
#define SLUICE_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SL_EXPORT __attribute__((visibility("default")))
#else
#define SL_EXPORT
#endif

#endif

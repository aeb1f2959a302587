/* Size-based rotation of an output file (--rotate SIZE[,N]): FILE becomes
 * FILE.1, FILE.1 becomes FILE.2, ... up to FILE.N (the oldest is removed);
 * the caller then opens FILE afresh (capture_outfile_open, mode 0600).
 * Symbolic links are not followed: rename() moves the link itself. */
#ifndef TP_CAPTURE_ROTATE_H
#define TP_CAPTURE_ROTATE_H

#include <stdbool.h>

#include "outfile.h"

/* Shifts the files; 0 or the errno of the rename that failed. */
int capture_rotate_shift(const char *path, unsigned keep);

/* Closes f, shifts, and opens the path again (same label, truncated).
 * true, or false with a message on stderr (f is then closed). */
bool capture_rotate_outfile(capture_outfile *f, unsigned keep);

#endif

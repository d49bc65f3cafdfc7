/* pylite: error reporting.
 *
 * Every message goes to three places: the calling thread's accumulator (read
 * by PyliteGetLastError, so bindings can put it in exceptions even when no
 * interpreter exists yet), the interpreter's last error, and the error
 * reporter (stderr when none is set, as TFLite does). A public call clears
 * the thread's accumulator first, so it holds exactly the messages of the
 * last call, joined by newlines. */
#include <stdio.h>
#include <string.h>

#include "capi/core/interp.h"

enum { PL_ERROR_CAPACITY = 2048 };
static _Thread_local char tl_error[PL_ERROR_CAPACITY];

void pl_error_begin(void) { tl_error[0] = '\0'; }

const char* pl_error_thread_last(void) { return tl_error; }

static void append_thread(const char* msg) {
  size_t used = strlen(tl_error);
  if (used > 0 && used + 1 < sizeof(tl_error)) {
    tl_error[used++] = '\n';
    tl_error[used] = '\0';
  }
  snprintf(tl_error + used, sizeof(tl_error) - used, "%s", msg);
}

static void call_reporter(TfLiteErrorReporterCallback reporter,
                          void* user_data, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  reporter(user_data, fmt, args);
  va_end(args);
}

static void deliver(TfLiteErrorReporterCallback reporter, void* user_data,
                    const char* msg) {
  append_thread(msg);
  if (reporter) {
    call_reporter(reporter, user_data, "%s", msg);
  } else {
    fprintf(stderr, "ERROR: %s\n", msg);
  }
}

void pl_error_v(PlInterp* interp, const char* fmt, va_list args) {
  char msg[PL_ERROR_CAPACITY];
  vsnprintf(msg, sizeof(msg), fmt, args);
  if (interp) {
    deliver(interp->reporter, interp->reporter_data, msg);
    pthread_mutex_lock(&interp->error_lock);
    snprintf(interp->last_error, sizeof(interp->last_error), "%s", tl_error);
    pthread_mutex_unlock(&interp->error_lock);
  } else {
    deliver(NULL, NULL, msg);
  }
}

void pl_error(PlInterp* interp, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  pl_error_v(interp, fmt, args);
  va_end(args);
}

void pl_error_to(TfLiteErrorReporterCallback reporter, void* user_data,
                 const char* fmt, ...) {
  char msg[PL_ERROR_CAPACITY];
  va_list args;
  va_start(args, fmt);
  vsnprintf(msg, sizeof(msg), fmt, args);
  va_end(args);
  deliver(reporter, user_data, msg);
}

/* pylite_jni: the JNI shim under org.pylite.{NativeInterpreterWrapper,
 * NativeSignatureRunnerWrapper,TensorImpl}.
 *
 * Every handle crossing into Java is a jlong pointing at one of the structs
 * below; Java never sees a TfLiteTensor*. Tensors are named by (interpreter
 * handle, subgraph index, tensor index) and resolved on every call, so a
 * reallocation can never leave Java holding a stale pointer.
 *
 * Rules kept throughout: a zero handle throws instead of crashing, every JNI
 * call that can fail is checked (a pending exception makes us return at
 * once), everything acquired from the JVM is released on every path, and C
 * errors become IllegalArgumentException / IllegalStateException carrying
 * the message the C core reported (collected per thread, since calls on
 * different subgraphs may run at once). Data copies between Java arrays and
 * tensor memory happen in Java over a direct ByteBuffer view (see
 * TensorImpl), so this file only deals in handles, metadata and strings. */
#include <jni.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define PL_JNI_IAE "java/lang/IllegalArgumentException"
#define PL_JNI_ISE "java/lang/IllegalStateException"
#define PL_JNI_OOM "java/lang/OutOfMemoryError"

/* ---- Error collection -------------------------------------------------------- */

/* Messages reported by the core during one call, joined by newlines. The
 * core reports on the calling thread, and different subgraphs of one
 * interpreter may run at once on different threads, so the buffer is the
 * thread's own: the reporter ignores its user_data. Each entry point clears
 * it first, so a thrown exception carries only what that call reported. */
typedef struct pl_jni_errors {
  char text[4096];
  size_t len;
} pl_jni_errors;

static _Thread_local pl_jni_errors pl_jni_tl_errors;

static void pl_jni_errors_clear(void) {
  pl_jni_tl_errors.len = 0;
  pl_jni_tl_errors.text[0] = '\0';
}

/* The error reporter handed to the core: appends, never prints. */
static void pl_jni_reporter(void* user_data, const char* format,
                            va_list args) {
  (void)user_data;
  pl_jni_errors* e = &pl_jni_tl_errors;
  if (format == NULL) return;
  size_t cap = sizeof(e->text);
  if (e->len + 2 >= cap) return; /* full: keep the first messages */
  if (e->len > 0) e->text[e->len++] = '\n';
  int n = vsnprintf(e->text + e->len, cap - e->len, format, args);
  if (n < 0) {
    e->text[e->len] = '\0';
    return;
  }
  e->len += (size_t)n < cap - e->len ? (size_t)n : cap - e->len - 1;
  /* Drop a trailing newline the message itself carried. */
  while (e->len > 0 && e->text[e->len - 1] == '\n') e->text[--e->len] = '\0';
}

/* The best message for a failure of this thread's last call: what our
 * reporter collected, else the thread's last error, else a placeholder. */
static const char* pl_jni_message(void) {
  if (pl_jni_tl_errors.len > 0) return pl_jni_tl_errors.text;
  const char* last = PyliteGetLastError();
  if (last != NULL && last[0] != '\0') return last;
  return "(no message reported)";
}

/* Makes `text` valid modified UTF-8 in place, as ThrowNew requires: ASCII
 * (but NUL) and well-formed 2- and 3-byte sequences stay, anything else (a
 * 4-byte sequence, a stray byte from a damaged model) becomes '?'. */
static void pl_jni_sanitize(char* text) {
  unsigned char* p = (unsigned char*)text;
  while (*p) {
    if (p[0] < 0x80) {
      p += 1;
    } else if (p[0] >= 0xC2 && p[0] <= 0xDF && (p[1] & 0xC0) == 0x80) {
      p += 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF && (p[1] & 0xC0) == 0x80 &&
               (p[2] & 0xC0) == 0x80 && !(p[0] == 0xE0 && p[1] < 0xA0) &&
               !(p[0] == 0xED && p[1] >= 0xA0)) {
      p += 3;
    } else {
      *p++ = '?';
    }
  }
}

/* Throws `class_name` with a formatted message unless an exception is
 * already pending (the first one wins; a JNI failure is never masked). */
static void pl_jni_throw(JNIEnv* env, const char* class_name,
                         const char* format, ...) {
  if ((*env)->ExceptionCheck(env)) return;
  char message[8192];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  pl_jni_sanitize(message);
  jclass cls = (*env)->FindClass(env, class_name);
  if (cls == NULL) return; /* FindClass left NoClassDefFoundError pending */
  (*env)->ThrowNew(env, cls, message);
  (*env)->DeleteLocalRef(env, cls);
}

/* ---- Handles ------------------------------------------------------------------ */

/* A model plus the bytes it reads (NULL when the core mapped a file). */
typedef struct pl_jni_model {
  TfLiteModel* model;
  void* bytes;
} pl_jni_model;

typedef struct pl_jni_interp {
  TfLiteInterpreter* interp;
} pl_jni_interp;

typedef struct pl_jni_runner {
  TfLiteSignatureRunner* runner;
  pl_jni_interp* owner;
} pl_jni_runner;

static void* pl_jni_ptr(jlong handle) { return (void*)(intptr_t)handle; }
static jlong pl_jni_handle(const void* p) { return (jlong)(intptr_t)p; }

static pl_jni_model* pl_jni_model_get(JNIEnv* env, jlong handle) {
  pl_jni_model* m = (pl_jni_model*)pl_jni_ptr(handle);
  if (m == NULL || m->model == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Internal error: Invalid handle to TfLiteModel.");
    return NULL;
  }
  return m;
}

static pl_jni_interp* pl_jni_interp_get(JNIEnv* env, jlong handle) {
  pl_jni_interp* ji = (pl_jni_interp*)pl_jni_ptr(handle);
  if (ji == NULL || ji->interp == NULL) {
    pl_jni_throw(env, PL_JNI_IAE,
                 "Internal error: Invalid handle to TfLiteInterpreter.");
    return NULL;
  }
  pl_jni_errors_clear();
  PyliteClearLastError();
  return ji;
}

static pl_jni_runner* pl_jni_runner_get(JNIEnv* env, jlong handle) {
  pl_jni_runner* jr = (pl_jni_runner*)pl_jni_ptr(handle);
  if (jr == NULL || jr->runner == NULL || jr->owner == NULL) {
    pl_jni_throw(env, PL_JNI_IAE,
                 "Internal error: Invalid handle to TfLiteSignatureRunner.");
    return NULL;
  }
  pl_jni_errors_clear();
  PyliteClearLastError();
  return jr;
}

static TfLiteTensor* pl_jni_tensor_get(JNIEnv* env, jlong interp_handle,
                                       jint subgraph, jint index) {
  pl_jni_interp* ji = pl_jni_interp_get(env, interp_handle);
  if (ji == NULL) return NULL;
  TfLiteTensor* t =
      PyliteInterpreterGetSubgraphTensor(ji->interp, subgraph, index);
  if (t == NULL) {
    pl_jni_throw(env, PL_JNI_IAE,
                 "Internal error: No tensor %d in subgraph %d.", (int)index,
                 (int)subgraph);
  }
  return t;
}

/* ---- Small JNI helpers ------------------------------------------------------------ */

/* A NUL-terminated copy of a byte[] holding UTF-8 (Java encodes names with
 * String.getBytes(UTF_8): JNI's modified UTF-8 would differ from the model's
 * for some characters). The caller frees it; NULL with an exception pending
 * on failure, including a null array. */
static char* pl_jni_bytes_dup(JNIEnv* env, jbyteArray bytes, const char* what) {
  if (bytes == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: %s should not be null.", what);
    return NULL;
  }
  jsize n = (*env)->GetArrayLength(env, bytes);
  char* copy = (char*)malloc((size_t)n + 1);
  if (copy == NULL) {
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return NULL;
  }
  (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte*)copy);
  if ((*env)->ExceptionCheck(env)) {
    free(copy);
    return NULL;
  }
  copy[n] = '\0';
  return copy;
}

/* The bytes of a C string as a new byte[] (NULL becomes empty); Java decodes
 * them as UTF-8, so names from a damaged model cannot upset the JVM. */
static jbyteArray pl_jni_new_bytes(JNIEnv* env, const char* s) {
  jsize n = s != NULL ? (jsize)strlen(s) : 0;
  jbyteArray a = (*env)->NewByteArray(env, n);
  if (a == NULL) return NULL;
  if (n > 0) (*env)->SetByteArrayRegion(env, a, 0, n, (const jbyte*)s);
  if ((*env)->ExceptionCheck(env)) {
    (*env)->DeleteLocalRef(env, a);
    return NULL;
  }
  return a;
}

/* Copies a Java int[] into a malloc'd array; *n receives its length. */
static int* pl_jni_int_array(JNIEnv* env, jintArray a, jsize* n) {
  if (a == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: dims should not be null.");
    return NULL;
  }
  *n = (*env)->GetArrayLength(env, a);
  int* out = (int*)malloc(sizeof(int) * (size_t)(*n > 0 ? *n : 1));
  if (out == NULL) {
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return NULL;
  }
  (*env)->GetIntArrayRegion(env, a, 0, *n, (jint*)out);
  if ((*env)->ExceptionCheck(env)) {
    free(out);
    return NULL;
  }
  return out;
}

static jintArray pl_jni_new_int_array(JNIEnv* env, const int* data, int n) {
  if (n < 0) n = 0;
  jintArray a = (*env)->NewIntArray(env, n);
  if (a == NULL) return NULL;
  if (n > 0) (*env)->SetIntArrayRegion(env, a, 0, n, (const jint*)data);
  if ((*env)->ExceptionCheck(env)) {
    (*env)->DeleteLocalRef(env, a);
    return NULL;
  }
  return a;
}

/* A byte[][] of `n` UTF-8 names fetched by `get(obj, i)`; a NULL entry
 * becomes empty. */
typedef const char* (*pl_jni_name_fn)(const void* obj, int32_t i);

static jobjectArray pl_jni_name_array(JNIEnv* env, const void* obj, int n,
                                      pl_jni_name_fn get) {
  if (n < 0) n = 0;
  jclass bytes_class = (*env)->FindClass(env, "[B");
  if (bytes_class == NULL) return NULL;
  jobjectArray arr = (*env)->NewObjectArray(env, n, bytes_class, NULL);
  (*env)->DeleteLocalRef(env, bytes_class);
  if (arr == NULL) return NULL;
  for (int i = 0; i < n; ++i) {
    jbyteArray s = pl_jni_new_bytes(env, get(obj, i));
    if (s == NULL) {
      (*env)->DeleteLocalRef(env, arr);
      return NULL;
    }
    (*env)->SetObjectArrayElement(env, arr, i, s);
    (*env)->DeleteLocalRef(env, s);
    if ((*env)->ExceptionCheck(env)) {
      (*env)->DeleteLocalRef(env, arr);
      return NULL;
    }
  }
  return arr;
}

/* Whether `t`'s dims differ from `dims`. */
static int pl_jni_dims_differ(const TfLiteTensor* t, const int* dims, int n) {
  if (t->dims == NULL) return 1;
  return !TfLiteIntArrayEqualsArray(t->dims, n, dims);
}

/* ---- NativeInterpreterWrapper: model ------------------------------------------------ */

static jlong pl_jni_model_finish(JNIEnv* env, pl_jni_model* m,
                                 const char* what) {
  if (m->model == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "%s: %s", what, pl_jni_message());
    free(m->bytes);
    free(m);
    return 0;
  }
  return pl_jni_handle(m);
}

JNIEXPORT jlong JNICALL
Java_org_pylite_NativeInterpreterWrapper_createModelFromFile(JNIEnv* env,
                                                             jclass cls,
                                                             jbyteArray path) {
  char* p = pl_jni_bytes_dup(env, path, "model path");
  if (p == NULL) return 0;
  pl_jni_model* m = (pl_jni_model*)calloc(1, sizeof(*m));
  if (m == NULL) {
    free(p);
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return 0;
  }
  pl_jni_errors_clear();
  PyliteClearLastError();
  m->model = TfLiteModelCreateFromFileWithErrorReporter(p, pl_jni_reporter, NULL);
  char what[1200];
  snprintf(what, sizeof(what),
           "Contents of %.1024s does not encode a valid TensorFlow Lite model",
           p);
  free(p);
  return pl_jni_model_finish(env, m, what);
}

/* Copies `size` bytes from `src` (which may be NULL for size 0) and builds a
 * model over the copy, which the model handle then owns. */
static jlong pl_jni_model_from_copy(JNIEnv* env, jbyteArray array,
                                    const void* src, size_t size) {
  pl_jni_model* m = (pl_jni_model*)calloc(1, sizeof(*m));
  if (m == NULL) {
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return 0;
  }
  m->bytes = malloc(size > 0 ? size : 1);
  if (m->bytes == NULL) {
    free(m);
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return 0;
  }
  if (array != NULL) {
    (*env)->GetByteArrayRegion(env, array, 0, (jsize)size, (jbyte*)m->bytes);
    if ((*env)->ExceptionCheck(env)) {
      free(m->bytes);
      free(m);
      return 0;
    }
  } else if (size > 0) {
    memcpy(m->bytes, src, size);
  }
  pl_jni_errors_clear();
  PyliteClearLastError();
  m->model = TfLiteModelCreateWithErrorReporter(m->bytes, size,
                                                pl_jni_reporter, NULL);
  return pl_jni_model_finish(
      env, m, "ByteBuffer is not a valid TensorFlow Lite model flatbuffer");
}

JNIEXPORT jlong JNICALL
Java_org_pylite_NativeInterpreterWrapper_createModelFromDirectBuffer(
    JNIEnv* env, jclass cls, jobject buffer) {
  if (buffer == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: model buffer should not be null.");
    return 0;
  }
  void* address = (*env)->GetDirectBufferAddress(env, buffer);
  jlong capacity = (*env)->GetDirectBufferCapacity(env, buffer);
  if ((*env)->ExceptionCheck(env)) return 0;
  if (address == NULL || capacity < 0) {
    pl_jni_throw(env, PL_JNI_IAE,
                 "Model ByteBuffer is not a direct buffer the JVM can share.");
    return 0;
  }
  return pl_jni_model_from_copy(env, NULL, address, (size_t)capacity);
}

JNIEXPORT jlong JNICALL
Java_org_pylite_NativeInterpreterWrapper_createModelFromArray(
    JNIEnv* env, jclass cls, jbyteArray bytes) {
  if (bytes == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: model bytes should not be null.");
    return 0;
  }
  jsize n = (*env)->GetArrayLength(env, bytes);
  return pl_jni_model_from_copy(env, bytes, NULL, (size_t)n);
}

JNIEXPORT void JNICALL Java_org_pylite_NativeInterpreterWrapper_deleteModel(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_model* m = (pl_jni_model*)pl_jni_ptr(handle);
  if (m == NULL) return;
  TfLiteModelDelete(m->model);
  free(m->bytes);
  free(m);
}

/* ---- NativeInterpreterWrapper: interpreter ------------------------------------------ */

JNIEXPORT jlong JNICALL
Java_org_pylite_NativeInterpreterWrapper_createInterpreter(
    JNIEnv* env, jclass cls, jlong model_handle, jint num_threads,
    jboolean cancellable) {
  pl_jni_model* m = pl_jni_model_get(env, model_handle);
  if (m == NULL) return 0;
  pl_jni_interp* ji = (pl_jni_interp*)calloc(1, sizeof(*ji));
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  if (ji == NULL || options == NULL) {
    free(ji);
    TfLiteInterpreterOptionsDelete(options);
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return 0;
  }
  TfLiteInterpreterOptionsSetNumThreads(options, num_threads);
  TfLiteInterpreterOptionsSetErrorReporter(options, pl_jni_reporter, NULL);
  if (cancellable) TfLiteInterpreterOptionsEnableCancellation(options, true);
  pl_jni_errors_clear();
  PyliteClearLastError();
  ji->interp = TfLiteInterpreterCreate(m->model, options);
  TfLiteInterpreterOptionsDelete(options);
  if (ji->interp == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Internal error: Cannot create interpreter: %s",
                 pl_jni_message());
    free(ji);
    return 0;
  }
  return pl_jni_handle(ji);
}

JNIEXPORT void JNICALL
Java_org_pylite_NativeInterpreterWrapper_deleteInterpreter(JNIEnv* env,
                                                           jclass cls,
                                                           jlong handle) {
  pl_jni_interp* ji = (pl_jni_interp*)pl_jni_ptr(handle);
  if (ji == NULL) return;
  TfLiteInterpreterDelete(ji->interp);
  free(ji);
}

JNIEXPORT jint JNICALL Java_org_pylite_NativeInterpreterWrapper_getInputCount(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return 0;
  int32_t n = TfLiteInterpreterGetInputTensorCount(ji->interp);
  return n < 0 ? 0 : n;
}

JNIEXPORT jint JNICALL Java_org_pylite_NativeInterpreterWrapper_getOutputCount(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return 0;
  int32_t n = TfLiteInterpreterGetOutputTensorCount(ji->interp);
  return n < 0 ? 0 : n;
}

/* Tensor index (in subgraph 0) of input/output `i`, or -1 with an exception
 * pending. */
static jint pl_jni_io_index(JNIEnv* env, jlong handle, jint i, int output) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return -1;
  int32_t count = output ? TfLiteInterpreterGetOutputTensorCount(ji->interp)
                         : TfLiteInterpreterGetInputTensorCount(ji->interp);
  const int* indices = output
                           ? TfLiteInterpreterOutputTensorIndices(ji->interp)
                           : TfLiteInterpreterInputTensorIndices(ji->interp);
  if (i < 0 || i >= count || indices == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Invalid %s Tensor index: %d",
                 output ? "output" : "input", (int)i);
    return -1;
  }
  return indices[i];
}

JNIEXPORT jint JNICALL
Java_org_pylite_NativeInterpreterWrapper_getInputTensorIndex(JNIEnv* env,
                                                             jclass cls,
                                                             jlong handle,
                                                             jint i) {
  return pl_jni_io_index(env, handle, i, 0);
}

JNIEXPORT jint JNICALL
Java_org_pylite_NativeInterpreterWrapper_getOutputTensorIndex(JNIEnv* env,
                                                              jclass cls,
                                                              jlong handle,
                                                              jint i) {
  return pl_jni_io_index(env, handle, i, 1);
}

JNIEXPORT jboolean JNICALL Java_org_pylite_NativeInterpreterWrapper_resizeInput(
    JNIEnv* env, jclass cls, jlong handle, jint input_index, jintArray dims,
    jboolean strict) {
  jint tensor_index = pl_jni_io_index(env, handle, input_index, 0);
  if (tensor_index < 0) return JNI_FALSE;
  pl_jni_interp* ji = (pl_jni_interp*)pl_jni_ptr(handle);
  TfLiteTensor* t = PyliteInterpreterGetSubgraphTensor(ji->interp, 0,
                                                       tensor_index);
  if (t == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Invalid input Tensor index: %d",
                 (int)input_index);
    return JNI_FALSE;
  }
  jsize n = 0;
  int* d = pl_jni_int_array(env, dims, &n);
  if (d == NULL) return JNI_FALSE;
  jboolean changed = JNI_FALSE;
  if (pl_jni_dims_differ(t, d, n)) {
    if (PyliteInterpreterResizeTensor(ji->interp, tensor_index, d, n,
                                      strict ? true : false) != kTfLiteOk) {
      pl_jni_throw(env, PL_JNI_IAE,
                   "Internal error: Failed to resize %d-th input: %s",
                   (int)input_index, pl_jni_message());
    } else {
      changed = JNI_TRUE;
    }
  }
  free(d);
  return changed;
}

/* The exceptions of a failed allocation or invoke, with TFLite's texts. */
static void pl_jni_check_allocate(JNIEnv* env, TfLiteStatus s) {
  if (s != kTfLiteOk) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Unexpected failure when preparing tensor "
                 "allocations: %s",
                 pl_jni_message());
  }
}

static void pl_jni_check_invoke(JNIEnv* env, TfLiteStatus s) {
  if (s == kTfLiteCancelled) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Failed to run on the given Interpreter: "
                 "Client requested cancel during Invoke()");
  } else if (s != kTfLiteOk) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Failed to run on the given Interpreter: %s",
                 pl_jni_message());
  }
}

JNIEXPORT void JNICALL
Java_org_pylite_NativeInterpreterWrapper_allocateTensors(JNIEnv* env,
                                                         jclass cls,
                                                         jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return;
  pl_jni_check_allocate(env, TfLiteInterpreterAllocateTensors(ji->interp));
}

JNIEXPORT void JNICALL Java_org_pylite_NativeInterpreterWrapper_invoke(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return;
  pl_jni_check_invoke(env, TfLiteInterpreterInvoke(ji->interp));
}

JNIEXPORT void JNICALL Java_org_pylite_NativeInterpreterWrapper_cancel(
    JNIEnv* env, jclass cls, jlong handle) {
  /* No error clearing here: cancel may be called from another thread while
   * an invoke is reporting. */
  pl_jni_interp* ji = (pl_jni_interp*)pl_jni_ptr(handle);
  if (ji == NULL || ji->interp == NULL) {
    pl_jni_throw(env, PL_JNI_IAE,
                 "Internal error: Invalid handle to TfLiteInterpreter.");
    return;
  }
  TfLiteInterpreterCancel(ji->interp);
}

static const char* pl_jni_signature_key(const void* obj, int32_t i) {
  return TfLiteInterpreterGetSignatureKey((const TfLiteInterpreter*)obj, i);
}

JNIEXPORT jobjectArray JNICALL
Java_org_pylite_NativeInterpreterWrapper_getSignatureKeys(JNIEnv* env,
                                                          jclass cls,
                                                          jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return NULL;
  int32_t n = TfLiteInterpreterGetSignatureCount(ji->interp);
  return pl_jni_name_array(env, ji->interp, n, pl_jni_signature_key);
}

/* Every variable tensor of every subgraph back to zero, as TFLite's
 * resetVariableTensors. */
JNIEXPORT void JNICALL
Java_org_pylite_NativeInterpreterWrapper_resetVariableTensors(JNIEnv* env,
                                                              jclass cls,
                                                              jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return;
  TfLiteInterpreterResetVariableTensors(ji->interp);
}

/* Back to the freshly-initialized state (PyliteInterpreterReset). */
JNIEXPORT void JNICALL Java_org_pylite_NativeInterpreterWrapper_reset(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_interp* ji = pl_jni_interp_get(env, handle);
  if (ji == NULL) return;
  PyliteInterpreterReset(ji->interp);
}

/* ---- NativeSignatureRunnerWrapper --------------------------------------------------- */

JNIEXPORT jlong JNICALL Java_org_pylite_NativeSignatureRunnerWrapper_create(
    JNIEnv* env, jclass cls, jlong interp_handle, jbyteArray key) {
  pl_jni_interp* ji = pl_jni_interp_get(env, interp_handle);
  if (ji == NULL) return 0;
  char* k = pl_jni_bytes_dup(env, key, "signature key");
  if (k == NULL) return 0;
  pl_jni_runner* jr = (pl_jni_runner*)calloc(1, sizeof(*jr));
  if (jr == NULL) {
    free(k);
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    return 0;
  }
  jr->owner = ji;
  jr->runner = TfLiteInterpreterGetSignatureRunner(ji->interp, k);
  if (jr->runner == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: Signature %s not found. (%s)", k,
                 pl_jni_message());
    free(jr);
    free(k);
    return 0;
  }
  free(k);
  return pl_jni_handle(jr);
}

JNIEXPORT void JNICALL Java_org_pylite_NativeSignatureRunnerWrapper_delete(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_runner* jr = (pl_jni_runner*)pl_jni_ptr(handle);
  if (jr == NULL) return;
  TfLiteSignatureRunnerDelete(jr->runner);
  free(jr);
}

JNIEXPORT jint JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_subgraphIndex(JNIEnv* env,
                                                           jclass cls,
                                                           jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return -1;
  return PyliteSignatureRunnerGetSubgraphIndex(jr->runner);
}

static const char* pl_jni_runner_input(const void* obj, int32_t i) {
  return TfLiteSignatureRunnerGetInputName((const TfLiteSignatureRunner*)obj,
                                           i);
}

static const char* pl_jni_runner_output(const void* obj, int32_t i) {
  return TfLiteSignatureRunnerGetOutputName((const TfLiteSignatureRunner*)obj,
                                            i);
}

JNIEXPORT jobjectArray JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_inputNames(JNIEnv* env,
                                                        jclass cls,
                                                        jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return NULL;
  size_t n = TfLiteSignatureRunnerGetInputCount(jr->runner);
  return pl_jni_name_array(env, jr->runner, n > INT32_MAX ? 0 : (int)n,
                             pl_jni_runner_input);
}

JNIEXPORT jobjectArray JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_outputNames(JNIEnv* env,
                                                         jclass cls,
                                                         jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return NULL;
  size_t n = TfLiteSignatureRunnerGetOutputCount(jr->runner);
  return pl_jni_name_array(env, jr->runner, n > INT32_MAX ? 0 : (int)n,
                             pl_jni_runner_output);
}

static jint pl_jni_runner_tensor_index(JNIEnv* env, jlong handle,
                                       jbyteArray name,
                                       int output) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return -1;
  char* n = pl_jni_bytes_dup(env, name, output ? "output name" : "input name");
  if (n == NULL) return -1;
  int32_t index =
      output ? PyliteSignatureRunnerGetOutputTensorIndex(jr->runner, n)
             : PyliteSignatureRunnerGetInputTensorIndex(jr->runner, n);
  if (index < 0) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: %s %s not found.",
                 output ? "output" : "input", n);
  }
  free(n);
  return index;
}

JNIEXPORT jint JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_inputTensorIndex(JNIEnv* env,
                                                              jclass cls,
                                                              jlong handle,
                                                              jbyteArray name) {
  return pl_jni_runner_tensor_index(env, handle, name, 0);
}

JNIEXPORT jint JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_outputTensorIndex(JNIEnv* env,
                                                               jclass cls,
                                                               jlong handle,
                                                               jbyteArray name) {
  return pl_jni_runner_tensor_index(env, handle, name, 1);
}

JNIEXPORT jboolean JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_resizeInput(
    JNIEnv* env, jclass cls, jlong handle, jbyteArray name, jintArray dims,
    jboolean strict) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return JNI_FALSE;
  char* n = pl_jni_bytes_dup(env, name, "input name");
  if (n == NULL) return JNI_FALSE;
  jsize count = 0;
  int* d = pl_jni_int_array(env, dims, &count);
  if (d == NULL) {
    free(n);
    return JNI_FALSE;
  }
  jboolean changed = JNI_FALSE;
  TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(jr->runner, n);
  if (t == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: input %s not found.", n);
  } else if (pl_jni_dims_differ(t, d, count)) {
    if (PyliteSignatureRunnerResizeInput(jr->runner, n, d, count,
                                         strict ? true : false) != kTfLiteOk) {
      pl_jni_throw(env, PL_JNI_IAE, "Internal error: Failed to resize input %s: %s",
                   n, pl_jni_message());
    } else {
      changed = JNI_TRUE;
    }
  }
  free(d);
  free(n);
  return changed;
}

JNIEXPORT jboolean JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_isReady(JNIEnv* env, jclass cls,
                                                     jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return JNI_FALSE;
  return PyliteSignatureRunnerIsReady(jr->runner) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_org_pylite_NativeSignatureRunnerWrapper_allocateTensors(JNIEnv* env,
                                                             jclass cls,
                                                             jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return;
  pl_jni_check_allocate(env, TfLiteSignatureRunnerAllocateTensors(jr->runner));
}

JNIEXPORT void JNICALL Java_org_pylite_NativeSignatureRunnerWrapper_invoke(
    JNIEnv* env, jclass cls, jlong handle) {
  pl_jni_runner* jr = pl_jni_runner_get(env, handle);
  if (jr == NULL) return;
  pl_jni_check_invoke(env, TfLiteSignatureRunnerInvoke(jr->runner));
}

/* ---- TensorImpl ------------------------------------------------------------------ */

JNIEXPORT jint JNICALL Java_org_pylite_TensorImpl_dtype(JNIEnv* env,
                                                       jclass cls, jlong h,
                                                       jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  return t == NULL ? 0 : (jint)TfLiteTensorType(t);
}

JNIEXPORT jbyteArray JNICALL Java_org_pylite_TensorImpl_name(JNIEnv* env,
                                                            jclass cls, jlong h,
                                                            jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return NULL;
  return pl_jni_new_bytes(env, TfLiteTensorName(t));
}

JNIEXPORT jintArray JNICALL Java_org_pylite_TensorImpl_shape(JNIEnv* env,
                                                            jclass cls, jlong h,
                                                            jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return NULL;
  if (t->dims == NULL) return pl_jni_new_int_array(env, NULL, 0);
  return pl_jni_new_int_array(env, t->dims->data, t->dims->size);
}

/* The shape signature, or the shape when the model has none. */
JNIEXPORT jintArray JNICALL Java_org_pylite_TensorImpl_shapeSignature(
    JNIEnv* env, jclass cls, jlong h, jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return NULL;
  const TfLiteIntArray* dims =
      t->dims_signature != NULL && t->dims_signature->size > 0
          ? t->dims_signature
          : t->dims;
  if (dims == NULL) return pl_jni_new_int_array(env, NULL, 0);
  return pl_jni_new_int_array(env, dims->data, dims->size);
}

JNIEXPORT jlong JNICALL Java_org_pylite_TensorImpl_numBytes(JNIEnv* env,
                                                           jclass cls, jlong h,
                                                           jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return 0;
  size_t n = TfLiteTensorByteSize(t);
  return n > (size_t)INT64_MAX ? -1 : (jlong)n;
}

JNIEXPORT jfloat JNICALL Java_org_pylite_TensorImpl_scale(JNIEnv* env,
                                                         jclass cls, jlong h,
                                                         jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  return t == NULL ? 0.0f : TfLiteTensorQuantizationParams(t).scale;
}

JNIEXPORT jint JNICALL Java_org_pylite_TensorImpl_zeroPoint(JNIEnv* env,
                                                           jclass cls, jlong h,
                                                           jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  return t == NULL ? 0 : TfLiteTensorQuantizationParams(t).zero_point;
}

/* A direct ByteBuffer over the tensor's memory, for one copy in Java. Never
 * handed to users: it dies with the next allocation. */
JNIEXPORT jobject JNICALL Java_org_pylite_TensorImpl_buffer(JNIEnv* env,
                                                           jclass cls, jlong h,
                                                           jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return NULL;
  void* data = TfLiteTensorData(t);
  size_t bytes = TfLiteTensorByteSize(t);
  if (data == NULL) {
    pl_jni_throw(env, PL_JNI_ISE, "Internal error: Tensor hasn't been allocated.");
    return NULL;
  }
  if (bytes > (size_t)INT32_MAX) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Tensor of %zu bytes is too large for Java.",
                 bytes);
    return NULL;
  }
  jobject b = (*env)->NewDirectByteBuffer(env, data, (jlong)bytes);
  if (b == NULL && !(*env)->ExceptionCheck(env)) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: The JVM cannot wrap native memory in a "
                 "direct ByteBuffer.");
  }
  return b;
}

/* Replaces the strings of a STRING tensor with `strings` (one byte[] per
 * element, row-major). */
JNIEXPORT void JNICALL Java_org_pylite_TensorImpl_writeStrings(
    JNIEnv* env, jclass cls, jlong h, jint sg, jint idx,
    jobjectArray strings) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return;
  if (strings == NULL) {
    pl_jni_throw(env, PL_JNI_IAE, "Input error: strings should not be null.");
    return;
  }
  jsize n = (*env)->GetArrayLength(env, strings);
  /* One block for the bytes, plus pointer and length tables. */
  size_t total = 0;
  for (jsize i = 0; i < n; ++i) {
    jbyteArray s = (jbyteArray)(*env)->GetObjectArrayElement(env, strings, i);
    if ((*env)->ExceptionCheck(env)) return;
    if (s == NULL) {
      pl_jni_throw(env, PL_JNI_IAE, "Input error: string element %d is null.",
                   (int)i);
      return;
    }
    total += (size_t)(*env)->GetArrayLength(env, s);
    (*env)->DeleteLocalRef(env, s);
  }
  size_t slots = n > 0 ? (size_t)n : 1;
  char* block = (char*)malloc(total > 0 ? total : 1);
  const char** ptrs = (const char**)malloc(sizeof(char*) * slots);
  size_t* lengths = (size_t*)malloc(sizeof(size_t) * slots);
  if (block == NULL || ptrs == NULL || lengths == NULL) {
    pl_jni_throw(env, PL_JNI_OOM, "pylite: out of memory");
    goto done;
  }
  size_t offset = 0;
  for (jsize i = 0; i < n; ++i) {
    jbyteArray s = (jbyteArray)(*env)->GetObjectArrayElement(env, strings, i);
    if (s == NULL) goto done; /* exception pending, or raced to null */
    jsize len = (*env)->GetArrayLength(env, s);
    if (offset + (size_t)len > total) { /* the array changed under us */
      (*env)->DeleteLocalRef(env, s);
      pl_jni_throw(env, PL_JNI_IAE, "Input error: strings changed while copying.");
      goto done;
    }
    (*env)->GetByteArrayRegion(env, s, 0, len, (jbyte*)(block + offset));
    (*env)->DeleteLocalRef(env, s);
    if ((*env)->ExceptionCheck(env)) goto done;
    ptrs[i] = block + offset;
    lengths[i] = (size_t)len;
    offset += (size_t)len;
  }
  if (PyliteTensorWriteStrings(t, (int32_t)n, ptrs, lengths) != kTfLiteOk) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Cannot write strings to tensor %s: %s",
                 TfLiteTensorName(t) ? TfLiteTensorName(t) : "",
                 pl_jni_message());
  }
done:
  free(block);
  free(ptrs);
  free(lengths);
}

/* The strings of a STRING tensor as byte[][] (row-major). */
JNIEXPORT jobjectArray JNICALL Java_org_pylite_TensorImpl_readStrings(
    JNIEnv* env, jclass cls, jlong h, jint sg, jint idx) {
  TfLiteTensor* t = pl_jni_tensor_get(env, h, sg, idx);
  if (t == NULL) return NULL;
  int32_t n = PyliteTensorGetStringCount(t);
  if (n < 0) {
    pl_jni_throw(env, PL_JNI_ISE,
                 "Internal error: Tensor %s does not hold valid strings.",
                 TfLiteTensorName(t) ? TfLiteTensorName(t) : "");
    return NULL;
  }
  jclass bytes_class = (*env)->FindClass(env, "[B");
  if (bytes_class == NULL) return NULL;
  jobjectArray out = (*env)->NewObjectArray(env, n, bytes_class, NULL);
  (*env)->DeleteLocalRef(env, bytes_class);
  if (out == NULL) return NULL;
  for (int32_t i = 0; i < n; ++i) {
    const char* data = NULL;
    size_t len = 0;
    if (PyliteTensorGetString(t, i, &data, &len) != kTfLiteOk ||
        len > (size_t)INT32_MAX || (data == NULL && len > 0)) {
      pl_jni_throw(env, PL_JNI_ISE,
                   "Internal error: Cannot read string %d of tensor %s.",
                   (int)i, TfLiteTensorName(t) ? TfLiteTensorName(t) : "");
      (*env)->DeleteLocalRef(env, out);
      return NULL;
    }
    jbyteArray s = (*env)->NewByteArray(env, (jsize)len);
    if (s == NULL) {
      (*env)->DeleteLocalRef(env, out);
      return NULL;
    }
    if (len > 0) {
      (*env)->SetByteArrayRegion(env, s, 0, (jsize)len, (const jbyte*)data);
    }
    if (!(*env)->ExceptionCheck(env)) {
      (*env)->SetObjectArrayElement(env, out, i, s);
    }
    (*env)->DeleteLocalRef(env, s);
    if ((*env)->ExceptionCheck(env)) {
      (*env)->DeleteLocalRef(env, out);
      return NULL;
    }
  }
  return out;
}

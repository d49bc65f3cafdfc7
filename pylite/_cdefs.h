/* Declarations of pylite's C API for cffi (ABI mode), kept by hand in step
 * with include/pylite/{c_api_types.h,common.h,c_api.h,pylite.h}.
 *
 * cffi's parser takes plain C only, so this file differs from the headers in
 * three ways: no export macros or include guards; `va_list` (which cffi cannot
 * declare) is written `void*` in the error-reporter signature -- Python never
 * calls a reporter, it only passes PyliteQuietReporter's address back to C;
 * and only what the bindings use is declared. */

/* ---- c_api_types.h ------------------------------------------------------- */

typedef enum TfLiteStatus {
  kTfLiteOk = 0,
  kTfLiteError = 1,
  kTfLiteDelegateError = 2,
  kTfLiteApplicationError = 3,
  kTfLiteDelegateDataNotFound = 4,
  kTfLiteDelegateDataWriteError = 5,
  kTfLiteDelegateDataReadError = 6,
  kTfLiteUnresolvedOps = 7,
  kTfLiteCancelled = 8,
  kTfLiteOutputShapeNotKnown = 9,
} TfLiteStatus;

typedef enum {
  kTfLiteNoType = 0,
  kTfLiteFloat32 = 1,
  kTfLiteInt32 = 2,
  kTfLiteUInt8 = 3,
  kTfLiteInt64 = 4,
  kTfLiteString = 5,
  kTfLiteBool = 6,
  kTfLiteInt16 = 7,
  kTfLiteComplex64 = 8,
  kTfLiteInt8 = 9,
  kTfLiteFloat16 = 10,
  kTfLiteFloat64 = 11,
  kTfLiteComplex128 = 12,
  kTfLiteUInt64 = 13,
  kTfLiteResource = 14,
  kTfLiteVariant = 15,
  kTfLiteUInt32 = 16,
  kTfLiteUInt16 = 17,
  kTfLiteInt4 = 18,
  kTfLiteBFloat16 = 19,
  kTfLiteInt2 = 20,
  kTfLiteUInt4 = 21,
  kTfLiteFloat8E4M3FN = 22,
  kTfLiteFloat8E5M2 = 23,
} TfLiteType;

typedef struct TfLiteQuantizationParams {
  float scale;
  int32_t zero_point;
} TfLiteQuantizationParams;

typedef enum TfLiteQuantizationType {
  kTfLiteNoQuantization = 0,
  kTfLiteAffineQuantization = 1,
  kTfLiteBlockwiseQuantization = 2,
  kTfLiteMultiAxisQuantization = 3,
} TfLiteQuantizationType;

typedef enum TfLiteDimensionType {
  kTfLiteDimDense = 0,
  kTfLiteDimSparseCSR = 1,
} TfLiteDimensionType;

typedef struct TfLiteModel TfLiteModel;
typedef struct TfLiteInterpreterOptions TfLiteInterpreterOptions;
typedef struct TfLiteInterpreter TfLiteInterpreter;
typedef struct TfLiteSignatureRunner TfLiteSignatureRunner;
typedef struct TfLiteTensor TfLiteTensor;
typedef struct TfLiteDelegate TfLiteDelegate;
typedef TfLiteDelegate TfLiteOpaqueDelegate;

/* ---- common.h ------------------------------------------------------------ */

typedef struct TfLiteIntArray {
  int size;
  int data[];
} TfLiteIntArray;

typedef struct TfLiteFloatArray {
  int size;
  float data[];
} TfLiteFloatArray;

typedef union TfLitePtrUnion {
  int32_t* i32;
  uint32_t* u32;
  int64_t* i64;
  uint64_t* u64;
  float* f;
  void* f16;
  double* f64;
  char* raw;
  const char* raw_const;
  uint8_t* uint8;
  bool* b;
  int16_t* i16;
  uint16_t* ui16;
  void* c64;
  void* c128;
  int8_t* int8;
  void* data;
} TfLitePtrUnion;

typedef enum TfLiteAllocationType {
  kTfLiteMemNone = 0,
  kTfLiteMmapRo,
  kTfLiteArenaRw,
  kTfLiteArenaRwPersistent,
  kTfLiteDynamic,
  kTfLitePersistentRo,
  kTfLiteCustom,
  kTfLiteVariantObject,
} TfLiteAllocationType;

typedef int TfLiteBufferHandle;

typedef struct TfLiteQuantization {
  TfLiteQuantizationType type;
  void* params;
} TfLiteQuantization;

typedef struct TfLiteAffineQuantization {
  TfLiteFloatArray* scale;
  TfLiteIntArray* zero_point;
  int32_t quantized_dimension;
} TfLiteAffineQuantization;

typedef struct TfLiteDimensionMetadata {
  TfLiteDimensionType format;
  int dense_size;
  TfLiteIntArray* array_segments;
  TfLiteIntArray* array_indices;
} TfLiteDimensionMetadata;

typedef struct TfLiteSparsity {
  TfLiteIntArray* traversal_order;
  TfLiteIntArray* block_map;
  TfLiteDimensionMetadata* dim_metadata;
  int dim_metadata_size;
} TfLiteSparsity;

struct TfLiteTensor {
  TfLiteType type;
  TfLitePtrUnion data;
  TfLiteIntArray* dims;
  TfLiteQuantizationParams params;
  TfLiteAllocationType allocation_type;
  size_t bytes;
  const void* allocation;
  const char* name;
  struct TfLiteDelegate* delegate;
  TfLiteBufferHandle buffer_handle;
  bool data_is_stale;
  bool is_variable;
  TfLiteQuantization quantization;
  TfLiteSparsity* sparsity;
  const TfLiteIntArray* dims_signature;
};

const char* TfLiteTypeGetName(TfLiteType type);

/* ---- c_api.h ------------------------------------------------------------- */

/* The last argument is a va_list in C (see the note at the top). */
typedef void (*TfLiteErrorReporterCallback)(void* user_data,
                                            const char* format, void* args);

const char* TfLiteVersion(void);
const char* TfLiteExtensionApisVersion(void);
int TfLiteSchemaVersion(void);

TfLiteModel* TfLiteModelCreate(const void* model_data, size_t model_size);
TfLiteModel* TfLiteModelCreateWithErrorReporter(
    const void* model_data, size_t model_size,
    TfLiteErrorReporterCallback reporter, void* user_data);
TfLiteModel* TfLiteModelCreateFromFile(const char* model_path);
TfLiteModel* TfLiteModelCreateFromFileWithErrorReporter(
    const char* model_path, TfLiteErrorReporterCallback reporter,
    void* user_data);
void TfLiteModelDelete(TfLiteModel* model);

TfLiteInterpreterOptions* TfLiteInterpreterOptionsCreate(void);
TfLiteInterpreterOptions* TfLiteInterpreterOptionsCopy(
    const TfLiteInterpreterOptions* from);
void TfLiteInterpreterOptionsDelete(TfLiteInterpreterOptions* options);
void TfLiteInterpreterOptionsSetNumThreads(TfLiteInterpreterOptions* options,
                                           int32_t num_threads);
void TfLiteInterpreterOptionsSetErrorReporter(
    TfLiteInterpreterOptions* options, TfLiteErrorReporterCallback reporter,
    void* user_data);
void TfLiteInterpreterOptionsAddDelegate(TfLiteInterpreterOptions* options,
                                         TfLiteOpaqueDelegate* delegate);
TfLiteStatus TfLiteInterpreterOptionsEnableCancellation(
    TfLiteInterpreterOptions* options, bool enable);

TfLiteInterpreter* TfLiteInterpreterCreate(
    const TfLiteModel* model, const TfLiteInterpreterOptions* optional_options);
void TfLiteInterpreterDelete(TfLiteInterpreter* interpreter);

int32_t TfLiteInterpreterGetInputTensorCount(
    const TfLiteInterpreter* interpreter);
const int* TfLiteInterpreterInputTensorIndices(
    const TfLiteInterpreter* interpreter);
TfLiteTensor* TfLiteInterpreterGetInputTensor(
    const TfLiteInterpreter* interpreter, int32_t input_index);
int32_t TfLiteInterpreterGetOutputTensorCount(
    const TfLiteInterpreter* interpreter);
const int* TfLiteInterpreterOutputTensorIndices(
    const TfLiteInterpreter* interpreter);
const TfLiteTensor* TfLiteInterpreterGetOutputTensor(
    const TfLiteInterpreter* interpreter, int32_t output_index);
TfLiteTensor* TfLiteInterpreterGetTensor(const TfLiteInterpreter* interpreter,
                                         int index);

TfLiteStatus TfLiteInterpreterResizeInputTensor(
    TfLiteInterpreter* interpreter, int32_t input_index, const int* input_dims,
    int32_t input_dims_size);
TfLiteStatus TfLiteInterpreterAllocateTensors(TfLiteInterpreter* interpreter);
TfLiteStatus TfLiteInterpreterInvoke(TfLiteInterpreter* interpreter);
TfLiteStatus TfLiteInterpreterCancel(const TfLiteInterpreter* interpreter);

int32_t TfLiteInterpreterGetSignatureCount(
    const TfLiteInterpreter* interpreter);
const char* TfLiteInterpreterGetSignatureKey(
    const TfLiteInterpreter* interpreter, int32_t signature_index);
TfLiteSignatureRunner* TfLiteInterpreterGetSignatureRunner(
    const TfLiteInterpreter* interpreter, const char* signature_key);

size_t TfLiteSignatureRunnerGetInputCount(
    const TfLiteSignatureRunner* signature_runner);
const char* TfLiteSignatureRunnerGetInputName(
    const TfLiteSignatureRunner* signature_runner, int32_t input_index);
TfLiteStatus TfLiteSignatureRunnerResizeInputTensor(
    TfLiteSignatureRunner* signature_runner, const char* input_name,
    const int* input_dims, int32_t input_dims_size);
TfLiteStatus TfLiteSignatureRunnerAllocateTensors(
    TfLiteSignatureRunner* signature_runner);
TfLiteTensor* TfLiteSignatureRunnerGetInputTensor(
    TfLiteSignatureRunner* signature_runner, const char* input_name);
TfLiteStatus TfLiteSignatureRunnerInvoke(
    TfLiteSignatureRunner* signature_runner);
size_t TfLiteSignatureRunnerGetOutputCount(
    const TfLiteSignatureRunner* signature_runner);
const char* TfLiteSignatureRunnerGetOutputName(
    const TfLiteSignatureRunner* signature_runner, int32_t output_index);
const TfLiteTensor* TfLiteSignatureRunnerGetOutputTensor(
    const TfLiteSignatureRunner* signature_runner, const char* output_name);
TfLiteStatus TfLiteSignatureRunnerCancel(
    TfLiteSignatureRunner* signature_runner);
void TfLiteSignatureRunnerDelete(TfLiteSignatureRunner* signature_runner);

TfLiteType TfLiteTensorType(const TfLiteTensor* tensor);
int32_t TfLiteTensorNumDims(const TfLiteTensor* tensor);
int32_t TfLiteTensorDim(const TfLiteTensor* tensor, int32_t dim_index);
size_t TfLiteTensorByteSize(const TfLiteTensor* tensor);
void* TfLiteTensorData(const TfLiteTensor* tensor);
const char* TfLiteTensorName(const TfLiteTensor* tensor);
TfLiteQuantizationParams TfLiteTensorQuantizationParams(
    const TfLiteTensor* tensor);
TfLiteStatus TfLiteTensorCopyFromBuffer(TfLiteTensor* tensor,
                                        const void* input_data,
                                        size_t input_data_size);
TfLiteStatus TfLiteTensorCopyToBuffer(const TfLiteTensor* output_tensor,
                                      void* output_data,
                                      size_t output_data_size);

/* ---- pylite.h ------------------------------------------------------------ */

const char* PyliteGetLastError(void);
void PyliteClearLastError(void);
const char* PyliteInterpreterGetLastError(const TfLiteInterpreter* interpreter);
/* The last argument is a va_list in C (see the note at the top). */
void PyliteQuietReporter(void* user_data, const char* format, void* args);

int32_t PyliteTensorGetStringCount(const TfLiteTensor* tensor);
TfLiteStatus PyliteTensorGetString(const TfLiteTensor* tensor, int32_t index,
                                   const char** data, size_t* length);
TfLiteStatus PyliteTensorWriteStrings(TfLiteTensor* tensor, int32_t count,
                                      const char* const* data,
                                      const size_t* lengths);

TfLiteStatus PyliteSignatureRunnerResizeInput(TfLiteSignatureRunner* runner,
                                              const char* input_name,
                                              const int* dims,
                                              int32_t dims_size, bool strict);
TfLiteStatus PyliteInterpreterResizeTensor(TfLiteInterpreter* interpreter,
                                           int32_t tensor_index,
                                           const int* dims, int32_t dims_size,
                                           bool strict);

typedef struct PyliteSignatureRun {
  TfLiteSignatureRunner* runner;
  const int* input_shapes;
  const void* const* input_data;
  const int* output_shapes;
  void* const* output_data;
} PyliteSignatureRun;
TfLiteStatus PyliteSignatureRunnerRun(const PyliteSignatureRun* run);

int32_t PyliteInterpreterGetSubgraphCount(const TfLiteInterpreter* interpreter);
int32_t PyliteInterpreterGetTensorCount(const TfLiteInterpreter* interpreter,
                                        int32_t subgraph_index);
TfLiteTensor* PyliteInterpreterGetSubgraphTensor(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t tensor_index);
const char* PyliteInterpreterGetSubgraphName(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);
int32_t PyliteInterpreterGetNodeCount(const TfLiteInterpreter* interpreter,
                                      int32_t subgraph_index);
const char* PyliteInterpreterGetNodeOpName(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);

const char* PyliteSignatureRunnerGetKey(const TfLiteSignatureRunner* runner);
int32_t PyliteSignatureRunnerGetSubgraphIndex(
    const TfLiteSignatureRunner* runner);
int32_t PyliteSignatureRunnerGetInputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* input_name);
int32_t PyliteSignatureRunnerGetOutputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* output_name);
bool PyliteSignatureRunnerIsReady(const TfLiteSignatureRunner* runner);

const TfLiteIntArray* PyliteInterpreterGetNodeInputs(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);
const TfLiteIntArray* PyliteInterpreterGetNodeOutputs(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);
bool PyliteInterpreterIsReady(const TfLiteInterpreter* interpreter,
                              int32_t subgraph_index);
int32_t PyliteGetOpCount(void);
const char* PyliteGetOpName(int32_t index);
const char* PyliteGetOpTypes(int32_t index);
void PyliteInterpreterOptionsSetMaxAllocationBytes(
    TfLiteInterpreterOptions* options, size_t bytes);

TfLiteStatus PyliteInterpreterReset(TfLiteInterpreter* interpreter);
void PyliteInterpreterSetProfiling(TfLiteInterpreter* interpreter, bool enable);
bool PyliteInterpreterGetNodeProfile(const TfLiteInterpreter* interpreter,
                                     int32_t subgraph_index,
                                     int32_t node_index, int64_t* total_ns,
                                     int64_t* runs);
int64_t PyliteInterpreterGetArenaBytes(const TfLiteInterpreter* interpreter,
                                       int32_t subgraph_index);
TfLiteStatus TfLiteInterpreterResetVariableTensors(
    TfLiteInterpreter* interpreter);
int TfLiteInterpreterGetInputTensorIndex(const TfLiteInterpreter* interpreter,
                                         int32_t input_index);
int TfLiteInterpreterGetOutputTensorIndex(
    const TfLiteInterpreter* interpreter, int32_t output_index);
TfLiteStatus PyliteInterpreterGetModelBuffer(
    const TfLiteInterpreter* interpreter, const void** data, size_t* size);
int32_t PyliteInterpreterGetResourceVariableCount(
    const TfLiteInterpreter* interpreter);
TfLiteStatus PyliteInterpreterGetResourceVariable(
    const TfLiteInterpreter* interpreter, int32_t index,
    const char** container, const char** shared_name,
    const TfLiteTensor** value);
TfLiteStatus PyliteInterpreterSetResourceVariable(
    TfLiteInterpreter* interpreter, const char* container,
    const char* shared_name, TfLiteType type, const int* dims,
    int32_t dims_size, const void* data, size_t bytes);

/* ---- operator.h, c_api_opaque.h: what pylite.custom_ops uses -------------- */

typedef struct TfLiteOpaqueContext TfLiteOpaqueContext;
typedef struct TfLiteOpaqueNode TfLiteOpaqueNode;
typedef struct TfLiteOpaqueTensor TfLiteOpaqueTensor;
typedef struct TfLiteOperator TfLiteOperator;

TfLiteIntArray* TfLiteIntArrayCreate(int size);

TfLiteOperator* TfLiteOperatorCreate(int builtin_code,
                                     const char* custom_name, int version,
                                     void* user_data);
void TfLiteOperatorDelete(TfLiteOperator* registration);
void TfLiteOperatorSetPrepare(TfLiteOperator* registration,
    TfLiteStatus (*prepare)(TfLiteOpaqueContext*, TfLiteOpaqueNode*));
void TfLiteOperatorSetInvoke(TfLiteOperator* registration,
    TfLiteStatus (*invoke)(TfLiteOpaqueContext*, TfLiteOpaqueNode*));
void TfLiteInterpreterOptionsAddOperator(TfLiteInterpreterOptions* options,
                                         TfLiteOperator* registration);

int TfLiteOpaqueNodeNumberOfInputs(const TfLiteOpaqueNode* node);
int TfLiteOpaqueNodeNumberOfOutputs(const TfLiteOpaqueNode* node);
const TfLiteOpaqueTensor* TfLiteOpaqueNodeGetInput(
    const TfLiteOpaqueContext* context, const TfLiteOpaqueNode* node,
    int index);
TfLiteOpaqueTensor* TfLiteOpaqueNodeGetOutput(TfLiteOpaqueContext* context,
    const TfLiteOpaqueNode* node, int index);

TfLiteType TfLiteOpaqueTensorType(const TfLiteOpaqueTensor* tensor);
int32_t TfLiteOpaqueTensorNumDims(const TfLiteOpaqueTensor* tensor);
int32_t TfLiteOpaqueTensorDim(const TfLiteOpaqueTensor* tensor,
                              int32_t dim_index);
size_t TfLiteOpaqueTensorByteSize(const TfLiteOpaqueTensor* tensor);
void* TfLiteOpaqueTensorData(const TfLiteOpaqueTensor* tensor);
const char* TfLiteOpaqueTensorName(const TfLiteOpaqueTensor* tensor);
TfLiteStatus TfLiteOpaqueTensorCopyFromBuffer(TfLiteOpaqueTensor* tensor,
    const void* input_data, size_t input_data_size);
int TfLiteOpaqueTensorGetStringCount(const TfLiteOpaqueTensor* tensor);
TfLiteStatus TfLiteOpaqueTensorGetString(const TfLiteOpaqueTensor* tensor,
    int index, const char** str, int* len);
void TfLiteOpaqueTensorSetAllocationTypeToDynamic(TfLiteOpaqueTensor* tensor);
TfLiteStatus PyliteOpaqueTensorWriteStrings(TfLiteOpaqueTensor* tensor,
    int32_t count, const char* const* data, const size_t* lengths);

TfLiteStatus TfLiteOpaqueContextResizeTensor(TfLiteOpaqueContext* context,
    TfLiteOpaqueTensor* tensor, TfLiteIntArray* new_size);
void TfLiteOpaqueContextReportError(TfLiteOpaqueContext* context,
                                    const char* format, ...);

/* pylite: what control-flow and resource kernels need from the runtime.
 *
 * Subgraph calls (WHILE, IF, CALL_ONCE) copy tensors into the callee's
 * inputs and out of its outputs, so callee and caller never share memory and
 * shapes may change from one call to the next. Each callee runs under its own
 * lock; because the interpreter rejects call cycles at creation (a DFS over
 * the subgraph indices named by control-flow ops), locks are always taken in
 * the order of an acyclic call graph and no two threads can deadlock.
 *
 * Resource variables live in the interpreter, keyed by (container, shared
 * name) as LiteRT keys them, so every signature and runner sees the same
 * state; their values are dynamic tensors whose type and shape change on
 * assignment. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"

/* Schema facts: builtin codes and the options field holding subgraph
 * indices (WhileOptions {cond:0, body:1}, IfOptions {then:0, else:1},
 * CallOnceOptions {init:0}, CallOptions {subgraph:0}). */
enum {
  PL_OP_CALL = 31,
  PL_OP_IF = 118,
  PL_OP_WHILE = 119,
  PL_OP_CALL_ONCE = 129,
};

TfLiteStatus pl_control_init(PlInterp* interp) {
  interp->once_state = calloc((size_t)interp->num_subgraphs + 1, 1);
  if (!interp->once_state) return kTfLiteError;
  pthread_mutex_init(&interp->resource_lock, NULL);
  pthread_mutex_init(&interp->once_lock, NULL);
  pthread_mutex_init(&interp->state_lock, NULL);
  return kTfLiteOk;
}

static void free_resources(PlInterp* interp) {
  for (int32_t i = 0; i < interp->num_resources; ++i) {
    PlResource* r = &interp->resources[i];
    free(r->container);
    free(r->shared_name);
    if (r->object && r->destroy) r->destroy(r->object);
    pl_tensor_free_data(&r->value);
    TfLiteIntArrayFree(r->value.dims);
  }
  free(interp->resources);
  interp->resources = NULL;
  interp->num_resources = interp->resource_capacity = 0;
}

void pl_control_free(PlInterp* interp) {
  if (!interp->once_state) return; /* never initialized */
  free_resources(interp);
  free(interp->once_state);
  interp->once_state = NULL;
  pthread_mutex_destroy(&interp->resource_lock);
  pthread_mutex_destroy(&interp->once_lock);
  pthread_mutex_destroy(&interp->state_lock);
}

void pl_control_reset(PlInterp* interp) {
  pthread_mutex_lock(&interp->resource_lock);
  free_resources(interp);
  pthread_mutex_unlock(&interp->resource_lock);
  pthread_mutex_lock(&interp->once_lock);
  memset(interp->once_state, 0, (size_t)interp->num_subgraphs);
  pthread_mutex_unlock(&interp->once_lock);
}

/* ---- The call graph -------------------------------------------------------- */

/* Subgraph indices a node calls (at most 2); returns how many. */
static int callees(const PlNode* node, int32_t out[2]) {
  const PlFbTable* o = &node->def->builtin_options;
  switch (node->builtin_code) {
    case PL_OP_WHILE:
    case PL_OP_IF:
      out[0] = pl_fb_i32(o, 0, -1);
      out[1] = pl_fb_i32(o, 1, -1);
      return 2;
    case PL_OP_CALL_ONCE:
    case PL_OP_CALL:
      out[0] = pl_fb_i32(o, 0, -1);
      return 1;
    default:
      return 0;
  }
}

/* Iterative DFS with colors: 0 unseen, 1 on the stack, 2 done. */
TfLiteStatus pl_check_call_graph(PlInterp* interp) {
  int32_t n = interp->num_subgraphs;
  uint8_t* color = calloc((size_t)n + 1, 1);
  int32_t* stack = malloc(sizeof(int32_t) * ((size_t)n + 1));
  int32_t* next_node = calloc((size_t)n + 1, sizeof(int32_t));
  if (!color || !stack || !next_node) {
    free(color), free(stack), free(next_node);
    pl_error(interp, "Out of memory checking the call graph.");
    return kTfLiteError;
  }
  TfLiteStatus status = kTfLiteOk;
  for (int32_t root = 0; root < n && status == kTfLiteOk; ++root) {
    if (color[root]) continue;
    int32_t depth = 0;
    stack[depth++] = root;
    color[root] = 1;
    while (depth > 0 && status == kTfLiteOk) {
      int32_t s = stack[depth - 1];
      const PlSubgraph* sg = &interp->subgraphs[s];
      if (next_node[s] >= sg->num_nodes) {
        color[s] = 2;
        --depth;
        continue;
      }
      int32_t targets[2];
      int count = callees(&sg->nodes[next_node[s]++], targets);
      for (int k = 0; k < count; ++k) {
        int32_t t = targets[k];
        if (t < 0 || t >= n) continue; /* the kernel reports it */
        if (color[t] == 1) {
          pl_error(interp, "Subgraph %d calls subgraph %d, which is already "
                   "running: control flow may not recurse.", (int)s, (int)t);
          status = kTfLiteError;
          break;
        }
        if (color[t] == 0) {
          color[t] = 1;
          stack[depth++] = t;
        }
      }
    }
  }
  free(color), free(stack), free(next_node);
  return status;
}

/* Builtin codes of the ops that use interpreter-wide state. */
static bool uses_state(int32_t code) {
  switch (code) {
    case PL_OP_CALL_ONCE:
    case 136: /* HASHTABLE */
    case 137: /* HASHTABLE_FIND */
    case 138: /* HASHTABLE_IMPORT */
    case 139: /* HASHTABLE_SIZE */
    case 142: /* VAR_HANDLE */
    case 143: /* READ_VARIABLE */
    case 144: /* ASSIGN_VARIABLE */
      return true;
    default:
      return false;
  }
}

void pl_mark_state_subgraphs(PlInterp* interp) {
  for (int32_t s = 0; s < interp->num_subgraphs; ++s) {
    PlSubgraph* sg = &interp->subgraphs[s];
    for (int32_t k = 0; k < sg->num_nodes; ++k)
      sg->touches_state |= uses_state(sg->nodes[k].builtin_code);
  }
  /* Callers of such subgraphs too: at most n rounds, the call graph being
   * acyclic. */
  for (bool changed = true; changed;) {
    changed = false;
    for (int32_t s = 0; s < interp->num_subgraphs; ++s) {
      PlSubgraph* sg = &interp->subgraphs[s];
      for (int32_t k = 0; k < sg->num_nodes && !sg->touches_state; ++k) {
        int32_t targets[2];
        int count = callees(&sg->nodes[k], targets);
        for (int c = 0; c < count; ++c) {
          int32_t t = targets[c];
          if (t >= 0 && t < interp->num_subgraphs &&
              interp->subgraphs[t].touches_state) {
            sg->touches_state = changed = true;
          }
        }
      }
    }
  }
}

void pl_mark_unread_inputs(PlInterp* interp) {
  for (int32_t s = 0; s < interp->num_subgraphs; ++s) {
    PlSubgraph* sg = &interp->subgraphs[s];
    const int32_t n = sg->inputs ? sg->inputs->size : 0;
    if (n == 0 || sg->num_tensors <= 0) continue;
    bool* read = calloc((size_t)sg->num_tensors, sizeof(bool));
    sg->input_unread = calloc((size_t)n, sizeof(bool));
    if (!read || !sg->input_unread) {
      free(read);
      free(sg->input_unread);
      sg->input_unread = NULL;
      continue;
    }
    for (int32_t k = 0; k < sg->num_nodes; ++k) {
      const TfLiteIntArray* in = sg->nodes[k].inputs;
      for (int32_t i = 0; in && i < in->size; ++i)
        if (in->data[i] >= 0 && in->data[i] < sg->num_tensors)
          read[in->data[i]] = true;
    }
    for (int32_t i = 0; sg->outputs && i < sg->outputs->size; ++i)
      if (sg->outputs->data[i] >= 0 && sg->outputs->data[i] < sg->num_tensors)
        read[sg->outputs->data[i]] = true;
    for (int32_t i = 0; i < n; ++i) {
      const int32_t t = sg->inputs->data[i];
      sg->input_unread[i] = t >= 0 && t < sg->num_tensors && !read[t];
    }
    free(read);
  }
}

/* ---- Subgraph calls ----------------------------------------------------------- */

int32_t pl_subgraph_count(const PlSubgraph* sg) {
  return sg->interp->num_subgraphs;
}

int32_t pl_subgraph_num_inputs(const PlSubgraph* sg, int32_t index) {
  if (index < 0 || index >= sg->interp->num_subgraphs) return -1;
  return sg->interp->subgraphs[index].inputs->size;
}

int32_t pl_subgraph_num_outputs(const PlSubgraph* sg, int32_t index) {
  if (index < 0 || index >= sg->interp->num_subgraphs) return -1;
  return sg->interp->subgraphs[index].outputs->size;
}

/* TfLiteIntArrayEqual, inline: each call of a loop's subgraph compares
 * the dims of every loop value several times. */
static inline bool dims_equal(const TfLiteIntArray* a,
                              const TfLiteIntArray* b) {
  if (a == b) return true;
  if (!a || !b || a->size != b->size) return false;
  for (int i = 0; i < a->size; ++i)
    if (a->data[i] != b->data[i]) return false;
  return true;
}

TfLiteStatus pl_tensor_copy(PlSubgraph* sg, TfLiteTensor* dst,
                            const TfLiteTensor* src) {
  if (dst == src) return kTfLiteOk;
  if (dst->type != src->type) {
    pl_report(sg, "Cannot copy tensor '%s' (%s) into '%s' (%s): types "
              "differ.", src->name ? src->name : "",
              TfLiteTypeGetName(src->type), dst->name ? dst->name : "",
              TfLiteTypeGetName(dst->type));
    return kTfLiteError;
  }
  if (src->type == kTfLiteString) {
    if (!pl_string_valid(src)) {
      pl_report(sg, "String tensor '%s' is malformed.", src->name);
      return kTfLiteError;
    }
    PL_ENSURE_OK(pl_resize_like(sg, dst, src->dims));
    void* copy = malloc(src->bytes ? src->bytes : 1);
    if (!copy) {
      pl_report(sg, "Out of memory copying '%s'.", src->name);
      return kTfLiteError;
    }
    if (src->bytes) memcpy(copy, src->data.raw, src->bytes);
    pl_tensor_set_heap_data(dst, copy, src->bytes);
    return kTfLiteOk;
  }
  /* A loop value copied again with its shape unchanged (dst already has
   * that shape and its buffer): pl_resize would leave it as it is. */
  const bool same = dst->data.raw && src->data.raw &&
                    dst->bytes == src->bytes && !pl_is_constant(dst) &&
                    dims_equal(dst->dims, src->dims);
  if (same) {
    memcpy(dst->data.raw, src->data.raw, src->bytes);
    return kTfLiteOk;
  }
  PL_ENSURE_OK(pl_resize_like(sg, dst, src->dims));
  if (dst->bytes != src->bytes || (src->bytes && (!src->data.raw ||
                                                  !dst->data.raw))) {
    pl_report(sg, "Cannot copy tensor '%s' (%zu bytes) into '%s' (%zu "
              "bytes).", src->name, src->bytes, dst->name, dst->bytes);
    return kTfLiteError;
  }
  if (src->bytes) memcpy(dst->data.raw, src->data.raw, src->bytes);
  return kTfLiteOk;
}

/* Copies one value into a callee input (resized as needed). */
static TfLiteStatus set_callee_input(PlSubgraph* callee, int32_t i,
                                     const TfLiteTensor* src) {
  int32_t index = callee->inputs->data[i];
  TfLiteTensor* dst = &callee->tensors[index];
  if (dst->type != src->type) {
    pl_error(callee->interp, "Input %d of subgraph %d has type %s but the "
             "caller passes %s.", (int)i, (int)callee->index,
             TfLiteTypeGetName(dst->type), TfLiteTypeGetName(src->type));
    return kTfLiteError;
  }
  if (!dims_equal(dst->dims, src->dims))
    PL_ENSURE_OK(pl_subgraph_resize_input(callee, index, src->dims->data,
                                          src->dims->size, false));
  return kTfLiteOk;
}

/* Whether callee output i is its input i, whose value the caller took from
 * `out` itself (a WHILE body passing a loop value through unchanged):
 * `out` then already holds the output's bytes, since no operator writes a
 * subgraph input (the loader checks). */
static bool passes_through(const PlSubgraph* callee, int32_t i,
                           int32_t num_inputs,
                           const TfLiteTensor* const* inputs,
                           const TfLiteTensor* out) {
  const int32_t t = callee->outputs->data[i];
  if (i >= num_inputs || callee->inputs->data[i] != t || inputs[i] != out)
    return false;
  const TfLiteTensor* tensor = &callee->tensors[t];
  return tensor->type != kTfLiteString &&
         dims_equal(tensor->dims, out->dims);
}

/* Whether callee's inputs can be written other than by a call: subgraph 0
 * (the interpreter's own inputs) or a signature's subgraph. */
static bool inputs_exposed(const PlSubgraph* callee) {
  const PlInterp* interp = callee->interp;
  if (callee->index == 0) return true;
  for (int32_t s = 0; s < interp->num_signatures; ++s)
    if (interp->signatures[s].subgraph_index == callee->index) return true;
  return false;
}

/* `stamp`: NULL, or pl_subgraph_call_loop's (see kernel.h). */
static TfLiteStatus call_locked(PlSubgraph* caller, PlSubgraph* callee,
                                int32_t num_inputs,
                                const TfLiteTensor* const* inputs,
                                int32_t num_outputs,
                                TfLiteTensor* const* outputs,
                                uint64_t* stamp) {
  if (callee->inputs->size != num_inputs ||
      callee->outputs->size != num_outputs) {
    pl_report(caller, "Subgraph %d takes %d inputs and gives %d outputs, but "
              "is called with %d and %d.", (int)callee->index,
              callee->inputs->size, callee->outputs->size, (int)num_inputs,
              (int)num_outputs);
    return kTfLiteError;
  }
  for (int32_t i = 0; i < num_inputs; ++i)
    PL_ENSURE_OK(set_callee_input(callee, i, inputs[i]));
  /* The callee's inputs still hold what this loop's previous call put
   * there: nobody called it since, no shape changed (the arena stayed), and
   * no operator writes a subgraph input (the loader checks). */
  const bool kept = stamp && *stamp != 0 && *stamp == callee->calls &&
                    callee->state == PL_STATE_READY && !inputs_exposed(callee);
  if (callee->state != PL_STATE_READY)
    PL_ENSURE_OK(pl_subgraph_allocate(callee));
  callee->calls++;
  for (int32_t i = 0; i < num_inputs; ++i) {
    TfLiteTensor* dst = &callee->tensors[callee->inputs->data[i]];
    if (callee->input_unread && callee->input_unread[i]) continue;
    if (kept && passes_through(callee, i, num_inputs, inputs, outputs[i]))
      continue;
    if (dst->type == kTfLiteString) {
      PL_ENSURE_OK(pl_tensor_copy(caller, dst, inputs[i]));
    } else if (dst->bytes) {
      if (dst->bytes != inputs[i]->bytes || !inputs[i]->data.raw) {
        pl_report(caller, "Input %d of subgraph %d: %zu bytes expected, %zu "
                  "given.", (int)i, (int)callee->index, dst->bytes,
                  inputs[i]->bytes);
        return kTfLiteError;
      }
      memcpy(dst->data.raw, inputs[i]->data.raw, dst->bytes);
    }
  }
  PL_ENSURE_OK(pl_subgraph_invoke(callee));
  for (int32_t i = 0; i < num_outputs; ++i) {
    const int32_t t = callee->outputs->data[i];
    if (passes_through(callee, i, num_inputs, inputs, outputs[i])) continue;
    PL_ENSURE_OK(pl_tensor_copy(caller, outputs[i], &callee->tensors[t]));
  }
  if (stamp) *stamp = callee->calls;
  return kTfLiteOk;
}

static TfLiteStatus call_subgraph(PlSubgraph* caller, int32_t index,
                                  int32_t num_inputs,
                                  const TfLiteTensor* const* inputs,
                                  int32_t num_outputs,
                                  TfLiteTensor* const* outputs,
                                  uint64_t* stamp) {
  PlInterp* interp = caller->interp;
  if (index < 0 || index >= interp->num_subgraphs || index == caller->index) {
    pl_report(caller, "Subgraph index %d is invalid here (the model has %d "
              "subgraphs).", (int)index, (int)interp->num_subgraphs);
    return kTfLiteError;
  }
  PlSubgraph* callee = &interp->subgraphs[index];
  pthread_mutex_lock(&callee->lock);
  TfLiteStatus status = call_locked(caller, callee, num_inputs, inputs,
                                    num_outputs, outputs, stamp);
  pthread_mutex_unlock(&callee->lock);
  if (status != kTfLiteOk)
    pl_report(caller, "Calling subgraph %d ('%s') failed.", (int)index,
              callee->def->name);
  return status;
}

TfLiteStatus pl_subgraph_call(PlSubgraph* caller, int32_t index,
                              int32_t num_inputs,
                              const TfLiteTensor* const* inputs,
                              int32_t num_outputs,
                              TfLiteTensor* const* outputs) {
  return call_subgraph(caller, index, num_inputs, inputs, num_outputs,
                       outputs, NULL);
}

TfLiteStatus pl_subgraph_call_loop(PlSubgraph* caller, int32_t index,
                                   int32_t n, TfLiteTensor* const* values,
                                   uint64_t* stamp) {
  return call_subgraph(caller, index, n, (const TfLiteTensor* const*)values,
                       n, values, stamp);
}

TfLiteStatus pl_subgraph_run_once(PlSubgraph* caller, int32_t index) {
  PlInterp* interp = caller->interp;
  if (index < 0 || index >= interp->num_subgraphs) {
    pl_report(caller, "CALL_ONCE: subgraph index %d is out of range [0, %d).",
              (int)index, (int)interp->num_subgraphs);
    return kTfLiteError;
  }
  pthread_mutex_lock(&interp->once_lock);
  TfLiteStatus status = kTfLiteOk;
  if (interp->once_state[index] == PL_ONCE_NOT_RUN) {
    status = pl_subgraph_call(caller, index, 0, NULL, 0, NULL);
    interp->once_state[index] =
        status == kTfLiteOk ? PL_ONCE_DONE : PL_ONCE_FAILED;
  } else if (interp->once_state[index] == PL_ONCE_FAILED) {
    pl_report(caller, "The initialization subgraph %d failed on its first "
              "run; reset the interpreter to run it again.", (int)index);
    status = kTfLiteError;
  }
  pthread_mutex_unlock(&interp->once_lock);
  return status;
}

/* ---- Resource variables ---------------------------------------------------------- */

/* Appends a zeroed resource (under the lock); NULL if out of memory. */
static PlResource* append_resource(PlInterp* interp) {
  if (interp->num_resources == interp->resource_capacity) {
    int32_t cap = interp->resource_capacity ? 2 * interp->resource_capacity : 8;
    PlResource* grown =
        realloc(interp->resources, sizeof(PlResource) * (size_t)cap);
    if (!grown) return NULL;
    interp->resources = grown;
    interp->resource_capacity = cap;
  }
  PlResource* r = &interp->resources[interp->num_resources++];
  memset(r, 0, sizeof(*r));
  r->value.allocation_type = kTfLiteDynamic;
  return r;
}

int32_t pl_resource_id(PlSubgraph* sg, const char* container,
                       const char* shared_name) {
  PlInterp* interp = sg->interp;
  container = container ? container : "";
  shared_name = shared_name ? shared_name : "";
  pthread_mutex_lock(&interp->resource_lock);
  int32_t id = -1;
  for (int32_t i = 0; i < interp->num_resources; ++i) {
    if (interp->resources[i].kind) continue;
    if (strcmp(interp->resources[i].container, container) == 0 &&
        strcmp(interp->resources[i].shared_name, shared_name) == 0) {
      id = i;
      break;
    }
  }
  if (id < 0) {
    PlResource* r = append_resource(interp);
    if (r) {
      r->container = strdup(container);
      r->shared_name = strdup(shared_name);
      r->value.name = r->shared_name;
      if (r->container && r->shared_name) {
        id = interp->num_resources - 1;
      } else {
        free(r->container);
        free(r->shared_name);
        interp->num_resources--;
      }
    }
  }
  pthread_mutex_unlock(&interp->resource_lock);
  if (id < 0) pl_report(sg, "Out of memory creating variable '%s'.", shared_name);
  return id;
}

int32_t pl_resource_object_id(PlSubgraph* sg, const char* kind, int32_t key,
                              void* (*create)(void* arg), void* arg,
                              void (*destroy)(void* object)) {
  PlInterp* interp = sg->interp;
  pthread_mutex_lock(&interp->resource_lock);
  int32_t id = -1;
  for (int32_t i = 0; i < interp->num_resources; ++i) {
    const PlResource* r = &interp->resources[i];
    if (r->kind && strcmp(r->kind, kind) == 0 && r->key == key) id = i;
  }
  if (id < 0) {
    void* object = create(arg);
    PlResource* r = object ? append_resource(interp) : NULL;
    if (r) {
      r->kind = kind;
      r->key = key;
      r->object = object;
      r->destroy = destroy;
      id = interp->num_resources - 1;
    } else if (object) {
      destroy(object);
    }
  }
  pthread_mutex_unlock(&interp->resource_lock);
  if (id < 0) pl_report(sg, "Out of memory creating a %s resource.", kind);
  return id;
}

void* pl_resource_object(PlSubgraph* sg, int32_t id, const char* kind) {
  PlInterp* interp = sg->interp;
  if (id < 0 || id >= interp->num_resources || !interp->resources[id].kind ||
      strcmp(interp->resources[id].kind, kind) != 0) {
    pl_report(sg, "Resource id %d does not name a %s.", (int)id, kind);
    return NULL;
  }
  return interp->resources[id].object;
}

void pl_resource_lock(PlSubgraph* sg) {
  pthread_mutex_lock(&sg->interp->resource_lock);
}

void pl_resource_unlock(PlSubgraph* sg) {
  pthread_mutex_unlock(&sg->interp->resource_lock);
}

TfLiteStatus pl_resource_read(PlSubgraph* sg, int32_t id, TfLiteTensor* dst) {
  PlInterp* interp = sg->interp;
  pthread_mutex_lock(&interp->resource_lock);
  TfLiteStatus status = kTfLiteError;
  if (id < 0 || id >= interp->num_resources || interp->resources[id].kind) {
    pl_report(sg, "Resource id %d does not name a variable.", (int)id);
  } else if (!interp->resources[id].assigned) {
    pl_report(sg, "Variable '%s' is read before it was assigned (was the "
              "initialization subgraph run?).",
              interp->resources[id].shared_name);
  } else {
    const TfLiteTensor* value = &interp->resources[id].value;
    if (dst->type != value->type) {
      pl_report(sg, "Variable '%s' holds %s but is read as %s.",
                interp->resources[id].shared_name,
                TfLiteTypeGetName(value->type), TfLiteTypeGetName(dst->type));
    } else {
      status = pl_tensor_copy(sg, dst, value);
    }
  }
  pthread_mutex_unlock(&interp->resource_lock);
  return status;
}

TfLiteStatus pl_resource_assign(PlSubgraph* sg, int32_t id,
                                const TfLiteTensor* value) {
  PlInterp* interp = sg->interp;
  pthread_mutex_lock(&interp->resource_lock);
  TfLiteStatus status = kTfLiteError;
  if (id < 0 || id >= interp->num_resources || interp->resources[id].kind) {
    pl_report(sg, "Resource id %d does not name a variable.", (int)id);
  } else {
    PlResource* r = &interp->resources[id];
    if (r->value.type != value->type) {
      pl_tensor_free_data(&r->value);
      r->value.allocation_type = kTfLiteDynamic;
      r->value.type = value->type;
    }
    status = pl_tensor_copy(sg, &r->value, value);
    if (status == kTfLiteOk) r->assigned = true;
  }
  pthread_mutex_unlock(&interp->resource_lock);
  return status;
}

/* ---- Saving and restoring variables ---------------------------------------------- */

/* Variables are the resources without a kind; `index` counts only them. */
static PlResource* variable_at(PlInterp* interp, int32_t index) {
  for (int32_t i = 0; i < interp->num_resources; ++i) {
    if (interp->resources[i].kind) continue;
    if (index-- == 0) return &interp->resources[i];
  }
  return NULL;
}

int32_t pl_variable_count(PlInterp* interp) {
  pthread_mutex_lock(&interp->resource_lock);
  int32_t count = 0;
  for (int32_t i = 0; i < interp->num_resources; ++i)
    count += interp->resources[i].kind == NULL;
  pthread_mutex_unlock(&interp->resource_lock);
  return count;
}

TfLiteStatus pl_variable_get(PlInterp* interp, int32_t index,
                             const char** container, const char** shared_name,
                             const TfLiteTensor** value) {
  pthread_mutex_lock(&interp->resource_lock);
  const PlResource* r = index >= 0 ? variable_at(interp, index) : NULL;
  if (r) {
    if (container) *container = r->container;
    if (shared_name) *shared_name = r->shared_name;
    if (value) *value = r->assigned ? &r->value : NULL;
  }
  pthread_mutex_unlock(&interp->resource_lock);
  if (!r) pl_error(interp, "Resource variable index %d is out of range.",
                   (int)index);
  return r ? kTfLiteOk : kTfLiteError;
}

/* Runs every initialization subgraph named by a CALL_ONCE node that has not
 * run yet, as the first signature run would. The caller holds state_lock. */
static TfLiteStatus run_pending_initialization(PlInterp* interp) {
  for (int32_t s = 0; s < interp->num_subgraphs; ++s) {
    PlSubgraph* sg = &interp->subgraphs[s];
    for (int32_t k = 0; k < sg->num_nodes; ++k) {
      if (sg->nodes[k].builtin_code != PL_OP_CALL_ONCE) continue;
      int32_t targets[2];
      callees(&sg->nodes[k], targets);
      PL_ENSURE_OK(pl_subgraph_run_once(sg, targets[0]));
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_variable_set(PlInterp* interp, const char* container,
                             const char* shared_name,
                             const TfLiteTensor* value) {
  PlSubgraph* sg = &interp->subgraphs[0];
  pthread_mutex_lock(&interp->state_lock);
  TfLiteStatus status = run_pending_initialization(interp);
  if (status == kTfLiteOk) {
    int32_t id = pl_resource_id(sg, container, shared_name);
    status = id < 0 ? kTfLiteError : pl_resource_assign(sg, id, value);
  }
  pthread_mutex_unlock(&interp->state_lock);
  return status;
}

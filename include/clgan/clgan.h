/* clgan.h — public API of libclgan: train generative adversarial networks on any OpenCL device.
 *
 * Every call returns a clg_status: CLG_OK (0) or one of the CLG_ERR_ codes below, a closed set:
 * a failed OpenCL or CLBlast call is mapped to the code that says what went wrong (out of memory,
 * build, device, ...; CLG_ERR_OPENCL when none does), and its raw code and name are in the
 * message. The message that goes with the last failure is kept per context (clg_last_error) and
 * never in a global; the library never exits.
 *
 * A whole program (built with `cc example.c $(pkg-config --cflags --libs clgan)`, or with
 * find_package(clgan) and the target clgan::clgan; the test suite builds and runs it both ways):
 *
 * ```c
 * #include <stdio.h>
 *
 * #include <clgan/clgan.h>
 *
 * static void progress(void *user, const clg_step_stats *s)
 * {
 *     (void)user;
 *     printf("step %ld/%ld d_loss %.3f g_loss %.3f\n", s->step, s->steps_total, s->d_loss, s->g_loss);
 * }
 *
 * // example [CONFIG [RUN_FOLDER [DEVICE]]]: 20 training steps of CONFIG into RUN_FOLDER
 * int main(int argc, char **argv)
 * {
 *     const char *config = argc > 1 ? argv[1] : "configs/mlp_gan.ini";
 *     const char *out = argc > 2 ? argv[2] : "runs/example", *device = argc > 3 ? argv[3] : NULL;
 *     char err[1024];
 *     clg_config *cfg;
 *     if (clg_config_load(&cfg, config, err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), 1;
 *     if (clg_config_set(cfg, "train.max_steps=20", err, sizeof err) != CLG_OK ||
 *         clg_config_set(cfg, "train.log_every=5", err, sizeof err) != CLG_OK)
 *         return fprintf(stderr, "%s\n", err), clg_config_free(cfg), 1;
 *     clg_ctx *ctx;
 *     clg_trainer *tr = NULL;
 *     int st = clg_ctx_create(&ctx, device); // NULL: the fastest device
 *     if (st == CLG_OK) st = clg_trainer_open(&tr, ctx, cfg, out, NULL, 0, NULL);
 *     if (st == CLG_OK) st = clg_trainer_run(tr, progress, NULL);
 *     if (st != CLG_OK) fprintf(stderr, "%s: %s\n", clg_status_str(st), clg_last_error(ctx));
 *     clg_trainer_free(tr);
 *     clg_ctx_free(ctx);
 *     clg_config_free(cfg);
 *     return st == CLG_OK ? 0 : 1;
 * }
 * ```
 */
#ifndef CLGAN_CLGAN_H
#define CLGAN_CLGAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLGAN_VERSION "0.1.0"

/* What libclgan.so exports: the functions declared here and nothing else (the library is built
 * with hidden visibility). */
#if defined(__GNUC__) || defined(__clang__)
#define CLG_API __attribute__((visibility("default")))
#else
#define CLG_API
#endif

typedef enum clg_status {
    CLG_OK = 0,
    CLG_ERR_ARG = -1000,      /* bad argument to a library call */
    CLG_ERR_IO = -1001,       /* a file could not be opened, read or written */
    CLG_ERR_FORMAT = -1002,   /* a file's contents are not what they must be (magic, size, ...) */
    CLG_ERR_CONFIG = -1003,   /* a configuration error (unknown key, bad value, bad shape) */
    CLG_ERR_DEVICE = -1004,   /* no OpenCL platform/device, or no device matches the request */
    CLG_ERR_BUILD = -1005,    /* an OpenCL program failed to build (the log is in the message) */
    CLG_ERR_NOMEM = -1006,    /* out of host or device memory */
    CLG_ERR_NUMERIC = -1007,  /* a loss became NaN or infinite */
    CLG_ERR_INTERRUPTED = -1008, /* stopped on request (Ctrl-C) */
    CLG_ERR_INTERNAL = -1009, /* a bug in clgan (also a CLBlast or OpenCL call clgan got wrong) */
    CLG_ERR_OPENCL = -1010,   /* an OpenCL or CLBlast call failed in a way none of the above names */
} clg_status;

/* The library's version, "MAJOR.MINOR.PATCH" (CLGAN_VERSION of the header it was built with). */
CLG_API const char *clg_version(void);
/* Free memory the library returned (e.g. clg_bench_json's text). */
CLG_API void clg_free(void *p);

/* Name of a status: "CLG_ERR_CONFIG", ... ("unknown status" for anything else). */
CLG_API const char *clg_status_str(int status);

/* ---- context: one OpenCL device, its queue, its built programs ---------------------------- */
typedef struct clg_ctx clg_ctx;

/* One OpenCL device, as data. */
typedef struct clg_device_info {
    char spec[16];                 /* "P:D": what --device and clg_ctx_params.device take */
    char name[256], platform[256], vendor[256];
    char type[16];                 /* "gpu", "cpu", "accelerator", "simulator" (Oclgrind) or "other" */
    unsigned compute_units, mhz;
    unsigned long long global_mem; /* bytes */
    char version[128], driver[128];
} clg_device_info;

/* Every device of every OpenCL platform: up to `max` into out[], the number written in *count
 * (0 when there is no platform or device; that is not an error). */
CLG_API int clg_devices(clg_device_info *out, int max, int *count, char *err, size_t errlen);
/* Print every OpenCL platform and device (name, vendor, type, compute units, memory, version,
 * driver) to `out`. */
CLG_API int clg_list_devices(FILE *out);

/* Everything a context can be told, chosen by the caller (the library reads no environment
 * variable; the clgan CLI maps CLGAN_DEVICE, CLGAN_GEMM, CLGAN_PROFILE, CLGAN_CACHE_DIR,
 * CLGAN_NO_CACHE and CLGAN_CL_DIR onto these). Start from clg_ctx_params_init (all defaults). */
typedef struct clg_ctx_params {
    /* "P:D" (platform and device index), "gpu" or "cpu" (the fastest of that type), a
     * case-insensitive substring of the device or platform name, or NULL/"" for the fastest
     * device, a GPU before a CPU, never a simulator (Oclgrind) unless it is the only device */
    const char *device;
    const char *device_origin; /* where `device` came from, named in messages (NULL: "--device") */
    int profiling;             /* a queue that records per-command device times (clgan bench) */
    /* the folder of the program binary cache and of `clgan tune`'s stored choice (NULL or "":
     * neither is read or written) */
    const char *cache_dir;
    int no_cache;              /* build every program from source, ignoring the binary cache */
    const char *cl_dir;        /* load kernel sources from this cl/ folder (NULL: the built-in ones) */
    const char *gemm;          /* "own" or "clblast" forces that GEMM back end (NULL/"": tuned or default) */
    const char *gemm_origin;   /* what forced it, shown by clg_ctx_gemm (NULL: "forced") */
    /* lower the device's limits to these many bytes (0: the device's own; for tests) */
    unsigned long long max_alloc, global_mem;
} clg_ctx_params;

CLG_API void clg_ctx_params_init(clg_ctx_params *p);
/* Open a device as `p` says (NULL: all defaults). On failure *out is still a context holding the
 * message (clg_last_error), to be freed with clg_ctx_free. */
CLG_API int clg_ctx_open(clg_ctx **out, const clg_ctx_params *p);
/* Shorthands: the device `spec` with every other parameter at its default, and with flags:
 * CLG_CTX_PROFILING (profiling = 1), CLG_CTX_NO_CACHE (no_cache = 1). */
CLG_API int clg_ctx_create(clg_ctx **out, const char *spec);
enum { CLG_CTX_PROFILING = 1, CLG_CTX_NO_CACHE = 2 };
CLG_API int clg_ctx_create_ex(clg_ctx **out, const char *spec, int flags);
/* Seconds spent building (or loading from the cache) the OpenCL programs. */
CLG_API double clg_ctx_build_seconds(const clg_ctx *ctx);
/* A non-fatal problem found while opening the device (e.g. an unreadable tuning file), or "". */
CLG_API const char *clg_ctx_warning(const clg_ctx *ctx);
/* The GEMM that runs and why: "own (cl/gemm.cl)", "clblast (defaults)", "clblast (cpu-a
 * parameters, tuned)", "own (cl/gemm.cl, $CLGAN_GEMM)" (the params' gemm_origin), ... */
CLG_API const char *clg_ctx_gemm(const clg_ctx *ctx);
/* Measure the GEMM back ends on this device, store the fastest correct one for later runs on
 * the same device and driver, and use it from now on (`clgan tune`). Progress goes to `log`. */
CLG_API int clg_tune_device(clg_ctx *ctx, FILE *log);
/* The "P:D" index of every OpenCL device (at most `max`); returns how many. */
CLG_API int clg_device_specs(char (*specs)[16], int max);
CLG_API void clg_ctx_free(clg_ctx *ctx);
CLG_API const char *clg_last_error(const clg_ctx *ctx);
/* One line describing the device: "NAME (VENDOR, PLATFORM, OpenCL x.y, driver z)". */
CLG_API const char *clg_ctx_device_desc(const clg_ctx *ctx);

/* ---- configuration: INI file plus command-line overrides ---------------------------------- */
typedef struct clg_config clg_config;

/* Parse an INI model/training configuration. Errors name file:line. */
CLG_API int clg_config_load(clg_config **out, const char *path, char *err, size_t errlen);
/* Parse configuration text (e.g. from a checkpoint); `name` stands for the file in messages. */
CLG_API int clg_config_load_text(clg_config **out, const char *text, const char *name, char *err, size_t errlen);
/* Apply one override "section.key=value" (as `--set` does). */
CLG_API int clg_config_set(clg_config *cfg, const char *assignment, char *err, size_t errlen);
/* The resolved configuration as INI text, every key written out (what a run folder's config.ini
 * and a checkpoint hold; it parses back to the same text). Owned by cfg: valid until the next
 * call or clg_config_free. "" if out of memory. */
CLG_API const char *clg_config_text(clg_config *cfg);
CLG_API void clg_config_free(clg_config *cfg);
/* Write the documented list of configuration keys (for --help). */
CLG_API void clg_config_print_keys(FILE *out);

/* ---- training ------------------------------------------------------------------------------ */
typedef struct clg_trainer clg_trainer;

typedef struct clg_step_stats {
    long step;          /* 1-based global step */
    int epoch;          /* 1-based */
    long steps_total;   /* planned number of steps */
    float d_loss, g_loss;
    float d_real, d_fake;      /* mean D(x), mean D(G(z)) */
    float acc_real, acc_fake;  /* D accuracy on real and on fake */
    double seconds;            /* wall time since this run (or resume) started */
    long step0;                /* steps done before this run started (after a resume) */
    int ranks;                 /* processes training together (MPI ranks; 1 without MPI) */
    int batch;                 /* images per step over all ranks (train.batch) */
    double comm_seconds;       /* of `seconds`, the time spent summing gradients across ranks */
} clg_step_stats;

/* Called whenever per-step statistics were read back (every train.log_every steps). */
typedef void (*clg_progress_fn)(void *user, const clg_step_stats *stats);

/* Build the networks and plan memory for `cfg` on `ctx`; `out_dir` receives metrics.csv and
 * samples. Prints the resolved networks to `log` (may be NULL). */
CLG_API int clg_trainer_create(clg_trainer **out, clg_ctx *ctx, const clg_config *cfg,
                       const char *out_dir, FILE *log);
/* Continue from a checkpoint: `from` is a run folder (its checkpoints/latest.safetensors) or a
 * checkpoint file. The trainer must have been created from the same config (run length and
 * logging settings may differ); metrics.csv keeps its rows up to the checkpoint's step. */
CLG_API int clg_trainer_resume(clg_trainer *tr, const char *from);
/* Open a run as `clgan train` does, all start checks first: a new run in out_dir (refused when
 * out_dir already holds one, unless `overwrite`: then the old run's files are deleted once every
 * check has passed), or with `resume` (a run folder or a checkpoint file) the run continued
 * (out_dir NULL: the run folder `resume` names; a checkpoint file needs the out_dir whose
 * metrics.csv it continues). A refused or failed start writes and deletes nothing. */
CLG_API int clg_trainer_open(clg_trainer **out, clg_ctx *ctx, const clg_config *cfg, const char *out_dir, const char *resume,
                     int overwrite, FILE *log);
/* Whether `dir` holds a run (its metrics.csv). */
CLG_API int clg_run_folder_has_run(const char *dir);
/* Train to the end (train.epochs / train.max_steps) or until clg_trainer_request_stop. Writes a
 * checkpoint at each epoch end, every train.checkpoint_every steps and when the run stops. */
CLG_API int clg_trainer_run(clg_trainer *tr, clg_progress_fn progress, void *user);
/* Ask a running trainer to stop at the end of the current step (safe from a signal handler). */
CLG_API void clg_trainer_request_stop(clg_trainer *tr);
CLG_API void clg_trainer_free(clg_trainer *tr);

/* ---- data-parallel training (MPI) ----------------------------------------------------------- */
/* Start MPI when the process was started by an MPI launcher (mpirun) and the library was built
 * with MPI; otherwise nothing happens and the process is rank 0 of 1. Call it first in main. A
 * trainer then trains on its rank's share of train.batch, sums gradients over the ranks, and only
 * rank 0 writes the run folder. */
CLG_API int clg_dist_init(int *argc, char ***argv);
CLG_API void clg_dist_finalize(void);
/* Stop every rank (after this rank printed its message); returns only without MPI ranks. */
CLG_API void clg_dist_abort(int code);
/* This process's rank and the number of ranks; its rank and their number on its host. */
CLG_API int clg_dist_rank(void);
CLG_API int clg_dist_size(void);
CLG_API int clg_dist_local_rank(void);
CLG_API int clg_dist_local_size(void);

/* ---- benchmark ------------------------------------------------------------------------------ */
/* Time training steps of `cfg` on synthetic data of its shape: `warmup` steps, then `steps`
 * timed steps (median, min, max, images/s), then per layer (forward, backward) the device time
 * from profiling events, FLOPs, GFLOP/s and bytes moved, the device's peak FP32 (an estimate
 * and a measured FMA kernel), and cold/warm program build times. Needs a context made with
 * CLG_CTX_PROFILING. A table goes to `out` (may be NULL); `json` (may be NULL) gets one JSON
 * object. */
CLG_API int clg_bench(clg_ctx *ctx, const clg_config *cfg, int warmup, int steps, FILE *out, FILE *json);
/* The same, with the JSON object returned as text in *json (free it with clg_free). */
CLG_API int clg_bench_json(clg_ctx *ctx, const clg_config *cfg, int warmup, int steps, char **json);

/* ---- generators from checkpoints ---------------------------------------------------------- */
typedef struct clg_generator clg_generator;

/* Load the generator of a checkpoint (a .safetensors file, or a run folder: its latest), built
 * from the config stored in it, to run in eval mode (batch norm on running statistics, no
 * dropout). A checkpoint of a run with train.ema gives its weight average. */
CLG_API int clg_generator_load(clg_generator **out, clg_ctx *ctx, const char *checkpoint);
/* The same; raw = 1 loads the generator's own weights even when the checkpoint holds an average. */
CLG_API int clg_generator_load_weights(clg_generator **out, clg_ctx *ctx, const char *checkpoint, int raw);
/* Latent size (nz = C*H*W of the generator's input) and image shape. */
CLG_API void clg_generator_shape(const clg_generator *g, int *nz, int *c, int *h, int *w);
/* n latent vectors drawn as in training (the config's noise), from `seed`. */
CLG_API void clg_generator_noise(const clg_generator *g, float *z, int n, uint64_t seed);
/* images (n, c, h, w) = G(z (n, nz)), in the data's range. */
CLG_API int clg_generator_run(clg_generator *g, float *images, const float *z, int n);
/* The data range images are in: [lo, hi]. */
CLG_API void clg_generator_range(const clg_generator *g, float *lo, float *hi);
CLG_API void clg_generator_free(clg_generator *g);

/* The domain classifier that scores samples: train the classifier of a classifier config
 * (configs/fmnist_classifier.ini), print progress to `log` (NULL: none) and write it to `out`
 * (safetensors, through a temp file and a rename; an existing `out` is refused before training
 * unless `overwrite`); *accuracy = its test accuracy, *hash = the hash of its weights (in the
 * file). */
CLG_API int clg_classify(clg_ctx *ctx, const char *config, const char *out, int overwrite, FILE *log,
                         double *accuracy, uint64_t *hash);
/* Score n samples (a checkpoint, a run folder or a float32 .npy, whose pixels are in [-1,1] when
 * npy_range_pm1, else [0,1]) with a classifier from clg_classify against n real images (`real`, an
 * IDX file; NULL: the classifier's test split): Frechet distance, KID, classifier score, class
 * histogram, precision/recall, memorisation, beside the real-versus-real floor, printed to `out`
 * and written to `json` when not NULL. */
CLG_API int clg_eval_samples(clg_ctx *ctx, const char *samples, const char *classifier, const char *real, int n,
                             long seed, int npy_range_pm1, const char *json, FILE *out);

/* Tile n images (c = 1 or 3, values in [lo, hi]) into a PNG grid with `cols` columns (0 = near
 * square). */
CLG_API int clg_write_image_grid(const char *path, const float *x, int n, int c, int h, int w, float lo, float hi, int cols,
                         char *err, size_t errlen);

/* NumPy .npy files of float32 in C order (1 to 4 dimensions); *data is malloc'ed. */
CLG_API int clg_npy_read(float **data, int *ndim, int dims[4], const char *path, char *err, size_t errlen);
CLG_API int clg_npy_write(const char *path, const float *data, int ndim, const int *dims, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

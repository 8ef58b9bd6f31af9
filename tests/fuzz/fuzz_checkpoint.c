/* fuzz_checkpoint.c — libFuzzer harness for checkpoint metadata (src/train/checkpoint.c), on top
 * of the safetensors reader, without a device.
 *
 * The input is a safetensors file. Its metadata is parsed (clg_checkpoint_parse_meta) and checked
 * (clg_checkpoint_check_meta) against two sets of limits: the sizes of the config stored in it
 * (when that parses) and sizes drawn from a hash of the input. Properties of accepted metadata:
 * the counters are a point the run can reach and every value the trainer derives from them is in
 * range (the batches gathered at the next step lie inside the data set, the epoch fits an int,
 * the optimizer counts match the step). Limits that leave no step are refused as CLG_ERR_ARG,
 * and only those.
 */
#include <limits.h>
#include <string.h>

#include "config/config.h"
#include "fuzz/fuzz.h"
#include "fuzz/st_util.h"
#include "train/checkpoint.h"

static void check(const clg_ckpt_meta *m, const clg_ckpt_limits *lim)
{
    clg_err e;
    memset(&e, 'x', sizeof e);
    int st = clg_checkpoint_check_meta(m, lim, &e);
    const char *msg = e.msg;
    FUZZ_CHECK(st == CLG_OK || (memchr(msg, 0, sizeof e.msg) != NULL && e.status == st),
               "the message is not NUL-terminated or its status is not the one returned");
    int possible = lim->images >= 1 && lim->batch >= 1 && lim->d_steps >= 1 && lim->batch <= lim->images &&
                   lim->d_steps <= lim->images / lim->batch;
    if (!possible) {
        FUZZ_CHECK(st == CLG_ERR_ARG && msg[0], "impossible limits (%ld images, batch %ld, d_steps %ld) gave %d",
                   lim->images, lim->batch, lim->d_steps, st);
        return;
    }
    if (st != CLG_OK) {
        FUZZ_CHECK(st == CLG_ERR_FORMAT && msg[0], "rejected with %d, message \"%s\"", st, msg);
        return;
    }
    long per_step = lim->batch * lim->d_steps, spe = lim->images / per_step;
    FUZZ_CHECK(m->step >= 0 && m->epoch >= 0 && m->epoch < INT_MAX, "step %ld, epoch %ld", m->step, m->epoch);
    FUZZ_CHECK(m->batch_in_epoch >= 0 && m->batch_in_epoch < spe, "batch_in_epoch %ld of %ld", m->batch_in_epoch, spe);
    /* the next step gathers images [batch_in_epoch * per_step, (batch_in_epoch + 1) * per_step) */
    FUZZ_CHECK((m->batch_in_epoch + 1) * per_step <= lim->images && (m->batch_in_epoch + 1) * per_step <= INT_MAX,
               "the next batches end at image %ld of %ld", (m->batch_in_epoch + 1) * per_step, lim->images);
    FUZZ_CHECK(m->epoch == m->step / spe + (m->step % spe != 0) && m->step % spe == m->batch_in_epoch,
               "step %ld, epoch %ld, batch_in_epoch %ld with %ld steps per epoch", m->step, m->epoch,
               m->batch_in_epoch, spe);
    long dt;
    FUZZ_CHECK(m->generator_t == m->step && !__builtin_mul_overflow(m->step, lim->d_steps, &dt) &&
                   m->discriminator_t == dt,
               "optimizer counts %ld, %ld at step %ld", m->generator_t, m->discriminator_t, m->step);
    FUZZ_CHECK(m->epoch_not_perfect == 0 || m->epoch_not_perfect == 1, "epoch_not_perfect %ld", m->epoch_not_perfect);
    FUZZ_CHECK(m->image_c == lim->image_c && m->image_h == lim->image_h && m->image_w == lim->image_w,
               "image shape differs from the limits'");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clg_err e = {0};
    char err[1024] = "";
    clg_st_file f;
    if (clg_st_parse(&f, data, size, "fuzz.safetensors", &e) != CLG_OK) return 0;
    fuzz_check_tensors(&f, data, size);
    clg_ckpt_meta m;
    if (clg_checkpoint_parse_meta(&m, &f, &e) == CLG_OK) {
        /* the sizes of the run the checkpoint says it comes from */
        const char *text = clg_st_meta(&f, "config");
        clg_config *c;
        if (text && clg_config_load_text(&c, text, "checkpoint config", err, sizeof err) == CLG_OK) {
            clg_ckpt_limits lim = {c->data.limit > 0 ? c->data.limit : 60000, c->train.batch, c->train.d_steps, m.image_c,
                                   m.image_h, m.image_w};
            check(&m, &lim);
            clg_config_free(c);
        }
        /* and sizes from the input's hash, impossible ones included */
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
        clg_ckpt_limits lim = {(long)(h % 70001), (long)(h >> 20) % 300, (long)(h >> 40) % 5, m.image_c, m.image_h,
                               m.image_w};
        if (h & 1) lim.image_w++; /* a data set of another shape */
        check(&m, &lim);
    } else FUZZ_CHECK(e.msg[0], "metadata rejected without a message");
    clg_st_free(&f);
    return 0;
}

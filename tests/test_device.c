/* test_device.c — device choice over a table of made-up devices (no OpenCL needed): the default
 * is the fastest real device (a discrete GPU listed after an integrated one, never Oclgrind unless
 * named or alone), "gpu"/"cpu" pick by type, "P:D" and name substrings pick one, and a spec that
 * matches nothing lists what is there. Also the OpenCL version checks.
 */
#include "testutil.h"

static clg_dev_info dev(int pi, int di, cl_device_type type, unsigned cu, unsigned mhz, double gib, const char *name,
                        const char *platform)
{
    clg_dev_info d = {pi, di, type, cu, mhz, (cl_ulong)(gib * 1073741824.0), "", ""};
    snprintf(d.name, sizeof d.name, "%s", name);
    snprintf(d.platform, sizeof d.platform, "%s", platform);
    return d;
}

#define ALL (CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)

static int pick(const clg_dev_info *devs, int n, const char *spec, char *msg)
{
    msg[0] = 0;
    return clg_dev_choose(devs, n, spec, "--device", msg, 1024);
}

int main(void)
{
    char msg[1024];
    clg_dev_info box[] = {
        dev(0, 0, ALL, 1, 2400, 4, "Oclgrind Simulator", "Oclgrind"),
        dev(1, 0, CL_DEVICE_TYPE_GPU, 24, 1100, 6, "Intel(R) UHD Graphics 770", "Intel(R) OpenCL Graphics"),
        dev(2, 0, CL_DEVICE_TYPE_GPU, 60, 2500, 16, "AMD Radeon RX 7800 XT", "AMD Accelerated Parallel Processing"),
        dev(3, 0, CL_DEVICE_TYPE_CPU, 16, 3000, 32, "pthread-znver3", "Portable Computing Language"),
    };
    int n = 4;
    CHECK(pick(box, n, NULL, msg) == 2, "default: the discrete GPU, not the first GPU or Oclgrind (%s)", msg);
    CHECK(pick(box, n, "", msg) == 2, "empty spec is the default");
    CHECK(pick(box, n, "gpu", msg) == 2, "gpu: the fastest GPU");
    CHECK(pick(box, n, "GPU", msg) == 2, "GPU: case-insensitive");
    CHECK(pick(box, n, "cpu", msg) == 3, "cpu: the CPU, not Oclgrind's all-types device");
    CHECK(pick(box, n, "oclgrind", msg) == 0, "Oclgrind when named");
    CHECK(pick(box, n, "0:0", msg) == 0, "Oclgrind by index");
    CHECK(pick(box, n, "1:0", msg) == 1, "index 1:0");
    CHECK(pick(box, n, "uhd", msg) == 1, "name substring");
    CHECK(pick(box, n, "portable", msg) == 3, "platform substring");
    CHECK(pick(box, n, "nvidia", msg) == -1 && strstr(msg, "\"nvidia\"") && strstr(msg, "--device") &&
              strstr(msg, "available") && strstr(msg, "2:0 AMD Radeon RX 7800 XT (GPU") &&
              strstr(msg, "0:0 Oclgrind Simulator (simulator") && strstr(msg, "3:0 pthread-znver3 (CPU"),
          "no match lists the devices: %s", msg);
    CHECK(pick(box, n, "4:0", msg) == -1 && strstr(msg, "4:0") && strstr(msg, "1:0 Intel"), "bad index: %s", msg);

    /* equal type and speed: more memory wins; equal everything: the first listed */
    clg_dev_info twins[] = {
        dev(0, 0, CL_DEVICE_TYPE_GPU, 40, 2000, 8, "card A", "vendor"),
        dev(0, 1, CL_DEVICE_TYPE_GPU, 40, 2000, 24, "card B", "vendor"),
        dev(0, 2, CL_DEVICE_TYPE_GPU, 40, 2000, 24, "card C", "vendor"),
    };
    CHECK(pick(twins, 3, NULL, msg) == 1, "more memory wins a tie");
    /* a slow GPU still comes before a fast CPU */
    clg_dev_info mixed[] = {
        dev(0, 0, CL_DEVICE_TYPE_CPU, 64, 3500, 256, "big CPU", "pocl"),
        dev(1, 0, CL_DEVICE_TYPE_GPU, 2, 400, 1, "small GPU", "mesa"),
    };
    CHECK(pick(mixed, 2, NULL, msg) == 1, "GPU over CPU");
    /* CPU and Oclgrind: the CPU; Oclgrind alone (a run under oclgrind): Oclgrind */
    clg_dev_info ci[] = {box[0], box[3]};
    CHECK(pick(ci, 2, NULL, msg) == 1, "the CPU, not the simulator");
    CHECK(pick(ci, 2, "gpu", msg) == -1 && strstr(msg, "no OpenCL GPU device") && strstr(msg, "pthread-znver3"),
          "no GPU (Oclgrind claims GPU too): %s", msg);
    CHECK(pick(box, 1, NULL, msg) == 0, "Oclgrind alone is used");
    CHECK(pick(box, 0, NULL, msg) == -1 && strstr(msg, "no OpenCL device found"), "no device: %s", msg);

    /* OpenCL versions */
    CHECK(clg_cl_version("OpenCL 1.1 Mesa 22.3.6") == 11, "1.1");
    CHECK(clg_cl_version("OpenCL C 1.2 pocl") == 12, "C 1.2");
    CHECK(clg_cl_version("OpenCL 3.0 CUDA 12.4.131") == 30, "3.0");
    CHECK(clg_cl_version("garbage") == 0, "unreadable");
    CHECK(clg_check_cl_versions("gpu", "OpenCL 3.0 CUDA", "OpenCL C 1.2 ", msg, sizeof msg) == 0, "3.0 / C 1.2 is fine");
    CHECK(clg_check_cl_versions("old gpu", "OpenCL 1.1 ATI-Stream", "OpenCL C 1.1 ", msg, sizeof msg) != 0 &&
              strstr(msg, "old gpu") && strstr(msg, "OpenCL 1.1 ATI-Stream") && strstr(msg, "needs OpenCL 1.2") &&
              strstr(msg, "--device"),
          "a 1.1 device gets a clear message: %s", msg);
    CHECK(clg_check_cl_versions("odd", "OpenCL 1.2", "OpenCL C 1.1", msg, sizeof msg) != 0 && strstr(msg, "OpenCL C 1.1"),
          "OpenCL C 1.1 on a 1.2 device: %s", msg);
    return test_summary("device");
}

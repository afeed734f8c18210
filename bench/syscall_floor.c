/* What the kernel alone charges for the probe's system calls on this machine, without PHP:
 * each operation the probe needs, in a loop, from C. The floor a userland PHP probe cannot go
 * below (docs/benchmarks.md, "Where the probe's time goes").
 *
 *     gcc -O2 -o /tmp/syscall_floor bench/syscall_floor.c && /tmp/syscall_floor
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N 200000

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
    char buf[256];
    const char *log = "/tmp/syscall_floor.log";
    double t;
    int fd;

    t = now_ns();
    for (int i = 0; i < N; i++) {
        fd = open("/proc/self/statm", O_RDONLY);
        if (read(fd, buf, sizeof buf) < 0) return 1;
        close(fd);
    }
    printf("open + read + close /proc/self/statm\t%.0f ns\n", (now_ns() - t) / N);

    fd = open("/proc/self/statm", O_RDONLY);
    t = now_ns();
    for (int i = 0; i < N; i++) {
        if (pread(fd, buf, sizeof buf, 0) < 0) return 1;
    }
    printf("pread /proc/self/statm (open fd)\t%.0f ns\n", (now_ns() - t) / N);
    close(fd);

    t = now_ns();
    for (int i = 0; i < N; i++) {
        fd = open("/proc/self/stat", O_RDONLY);
        if (read(fd, buf, sizeof buf) < 0) return 1;
        close(fd);
    }
    printf("open + read + close /proc/self/stat\t%.0f ns\n", (now_ns() - t) / N);

    t = now_ns();
    for (int i = 0; i < N; i++) {
        fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0640);
        if (write(fd, "0123456789012345678901234567890123456789\n", 41) < 0) return 1;
        close(fd);
    }
    printf("open + append 41 bytes + close\t%.0f ns\n", (now_ns() - t) / N);

    t = now_ns();
    for (int i = 0; i < N; i++) {
        struct stat st;
        lstat(log, &st);
    }
    printf("lstat of the log\t%.0f ns\n", (now_ns() - t) / N);
    unlink(log);

    t = now_ns();
    for (int i = 0; i < N; i++) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
    }
    printf("getrusage\t%.0f ns\n", (now_ns() - t) / N);

    t = now_ns();
    for (int i = 0; i < N; i++) {
        (void)getpid();
    }
    printf("getpid\t%.0f ns\n", (now_ns() - t) / N);
    return 0;
}

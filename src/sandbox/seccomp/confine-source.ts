/**
 * The confine helper: the first program every tool call runs inside a
 * sandbox. nsenter leaves it as the namespace's root with every capability;
 * before anything from the sandbox's own (writable) filesystem runs, it sets
 * the environment, drops every capability (bounding set included, so root
 * cannot regain them on exec), sets no_new_privs, loads the seccomp filter,
 * checks all of that took, and only then execs the command. It is linked
 * statically: a dynamic one would load the sandbox's libc and honour its
 * /etc/ld.so.preload while still privileged.
 *
 * Usage: confine FILTER [NAME=VALUE...] -- PROGRAM [ARG...]
 */
export const CONFINE_SOURCE = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void fail(const char *what, int error) {
  fprintf(stderr, "paddock-confine: %s: %s\n", what, strerror(error));
  _exit(126);
}

static unsigned char filter[32768];

int main(int argc, char **argv) {
  if (argc < 4) fail("usage: confine FILTER [NAME=VALUE...] -- PROGRAM [ARG...]", EINVAL);
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open filter", errno);
  ssize_t length = 0, got;
  while ((got = read(fd, filter + length, sizeof filter - length)) > 0) length += got;
  if (got < 0) fail("read filter", errno);
  close(fd);
  if (length == 0 || length % 8 != 0 || length == (ssize_t)sizeof filter) fail("filter size", EINVAL);

  int i = 2;
  if (clearenv() != 0) fail("clearenv", errno);
  for (; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strchr(argv[i], '=') == NULL || putenv(argv[i]) != 0) fail("environment entry", EINVAL);
  if (i + 1 >= argc) fail("no program", EINVAL);

  int last = 0;
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail("drop bounding set", errno);
    last = cap;
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    fail("clear ambient capabilities", errno);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct caps[2];
  memset(caps, 0, sizeof caps);
  if (syscall(SYS_capset, &header, caps) != 0) fail("capset", errno);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs", errno);
  struct sock_fprog program = {(unsigned short)(length / 8), (struct sock_filter *)filter};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) fail("seccomp", errno);

  // Verify rather than trust: any surviving privilege stops the call here.
  memset(caps, 0, sizeof caps);
  header.pid = 0;
  if (syscall(SYS_capget, &header, caps) != 0) fail("capget", errno);
  for (int word = 0; word < 2; word++)
    if (caps[word].effective || caps[word].permitted || caps[word].inheritable)
      fail("capabilities survived", EPERM);
  for (int cap = 0; cap <= last; cap++)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0) fail("bounding set survived", EPERM);
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) fail("no_new_privs did not hold", EPERM);
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) fail("seccomp did not hold", EPERM);

  execvp(argv[i + 1], argv + i + 1);
  int error = errno;
  fprintf(stderr, "paddock-confine: %s: %s\n", argv[i + 1], strerror(error));
  _exit(error == ENOENT ? 127 : 126);
}
`;

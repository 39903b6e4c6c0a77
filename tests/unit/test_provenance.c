/* test_provenance.c: SHA-256 of src/io/provenance.c against the FIPS 180-4 / NIST example
 * vectors (empty, "abc", the 448-bit two-block message, one million 'a'), and the file hash
 * of the same bytes written in pieces larger than the read buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/provenance.h"
#include "testing.h"

int main(void) {
  char hex[65];
  spx_sha256("", 0, hex);
  spx_test(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
           "sha256('') = %s", hex);
  spx_sha256("abc", 3, hex);
  spx_test(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
           "sha256('abc') = %s", hex);
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  spx_sha256(two, strlen(two), hex);
  spx_test(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
           "sha256(448-bit message) = %s", hex);
  size_t mill = 1000000;
  char *a = malloc(mill);
  if (a == NULL) return 1;
  memset(a, 'a', mill);
  spx_sha256(a, mill, hex);
  const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  spx_test(strcmp(hex, want) == 0, "sha256(10^6 x 'a') = %s", hex);
  char path[] = "/tmp/spx_sha_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 1;
  FILE *f = fdopen(fd, "wb");
  size_t w = f ? fwrite(a, 1, mill, f) : 0;
  if (f) fclose(f);
  spx_test(w == mill, "wrote the test file");
  uint64_t size = 0;
  spx_error err = {0};
  int rc = spx_sha256_file(path, hex, &size, &err);
  spx_test(rc == 0 && size == mill && strcmp(hex, want) == 0, "file hash = %s, %llu bytes (%s)",
           hex, (unsigned long long)size, err.msg);
  unlink(path);
  rc = spx_sha256_file(path, hex, &size, &err);
  spx_test(rc != 0 && strstr(err.msg, path) != NULL, "a missing file is an error naming it: %s",
           err.msg);
  free(a);
  return spx_test_summary();
}

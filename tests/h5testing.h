/* h5testing.h: small HDF5 readers shared by the tests that check result files. */
#ifndef SPX_H5TESTING_H
#define SPX_H5TESTING_H

#include <stdio.h>

#include <hdf5.h>

/* Read the whole dataset at path into out (memory type `type`); 0 or -1. */
static inline int read_ds(hid_t f, const char *path, hid_t type, void *out) {
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0) return -1;
  herr_t st = H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
  H5Dclose(d);
  return st < 0 ? -1 : 0;
}

/* Number of elements of the dataset at path (0 when it cannot be opened). */
static inline size_t ds_size(hid_t f, const char *path) {
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0) return 0;
  hid_t sp = H5Dget_space(d);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  H5Dclose(d);
  return n < 0 ? 0 : (size_t)n;
}

/* A method's status values (the enum's base type is a signed char). */
static inline int read_status(hid_t f, const char *label, signed char *out) {
  char path[128];
  snprintf(path, sizeof path, "/results/%s/status", label);
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t t = H5Dget_type(d);
  herr_t st = H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
  H5Tclose(t);
  H5Dclose(d);
  return st < 0 ? -1 : 0;
}

#endif

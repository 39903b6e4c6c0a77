/* transform.h: sparse transforms, maps from interactions to coefficients (DESIGN §2).
 *
 * An interaction is a strictly increasing list of feature indices (uint32_t); the empty
 * interaction (degree 0) is the constant term. A transform is tagged with its basis:
 *   Fourier:  f(m) = sum_K F(K) (-1)^{|K ∩ kept(m)|}
 *   Moebius:  f(m) = sum_{S ⊆ kept(m)} a(S)
 * or, after conversion, an interaction index (SII, BII, ...) which is only a table of values.
 * Storage is an entry array plus an open-addressing hash table; nothing is n-bit. */
#ifndef SPX_TRANSFORM_H
#define SPX_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum {
  SPX_BASIS_FOURIER = 0,
  SPX_BASIS_MOEBIUS = 1,
  SPX_BASIS_INDEX = 2 /* an interaction index: values only, no reconstruction semantics */
} spx_basis;

typedef struct spx_transform spx_transform;

spx_transform *spx_transform_create(uint32_t n, spx_basis basis);
void spx_transform_destroy(spx_transform **t);
spx_transform *spx_transform_clone(const spx_transform *t);

uint32_t spx_transform_n(const spx_transform *t);
spx_basis spx_transform_basis(const spx_transform *t);
void spx_transform_set_basis(spx_transform *t, spx_basis basis);
/* Number of stored entries (entries with value 0 count until spx_transform_prune). */
size_t spx_transform_size(const spx_transform *t);
/* Largest degree stored (0 when empty). */
uint32_t spx_transform_max_degree(const spx_transform *t);

/* Add value to the coefficient of the interaction idx[0..degree) (any order, no duplicates;
 * indices must be < n). Creates the entry if absent. */
int spx_transform_add(spx_transform *t, const uint32_t *idx, uint32_t degree, double value,
                      spx_error *err);
/* Replace the coefficient (creating the entry if absent). */
int spx_transform_set(spx_transform *t, const uint32_t *idx, uint32_t degree, double value,
                      spx_error *err);
/* Coefficient of the interaction (sorted or not), 0 if absent; *found (if not NULL) says
 * whether it is stored. */
double spx_transform_get(const spx_transform *t, const uint32_t *idx, uint32_t degree,
                         int *found);

/* Entry i (0 <= i < size), in insertion order: its sorted indices, degree and value. */
void spx_transform_entry(const spx_transform *t, size_t i, const uint32_t **idx,
                         uint32_t *degree, double *value);
/* Multiply entry i's value by s / set it. */
void spx_transform_entry_set(spx_transform *t, size_t i, double value);

/* order[0..size) = entry numbers sorted by |value| descending, ties by degree ascending, then
 * lexicographically by indices (a total, deterministic order). */
int spx_transform_sorted(const spx_transform *t, size_t *order, spx_error *err);
/* dst += scale * src (same n; basis of dst kept). */
int spx_transform_merge(spx_transform *dst, const spx_transform *src, double scale,
                        spx_error *err);
/* Drop entries with |value| <= tol (keeps the constant term if keep_empty). */
int spx_transform_prune(spx_transform *t, double tol, int keep_empty, spx_error *err);
/* Remove every entry. */
void spx_transform_clear(spx_transform *t);

/* A transform as compressed sparse rows, the form it takes in messages and result files:
 * entry k has the indices indices[offsets[k] .. offsets[k+1]) and the value coefficients[k];
 * offsets has nterms + 1 entries (offsets[0] = 0). Entries are in spx_transform_sorted order. */
typedef struct spx_transform_csr {
  uint32_t n;
  spx_basis basis;
  size_t nterms;
  uint64_t *offsets;     /* nterms + 1 */
  uint32_t *indices;     /* offsets[nterms] */
  double *coefficients;  /* nterms */
} spx_transform_csr;

/* The CSR arrays of t (fresh arrays in *out; free with spx_transform_csr_free). */
int spx_transform_to_csr(const spx_transform *t, spx_transform_csr *out, spx_error *err);
/* A transform from CSR arrays (checks the offsets and that every index is < n). */
int spx_transform_from_csr(const spx_transform_csr *csr, spx_transform **out, spx_error *err);
/* Free the arrays of csr and zero it (a zeroed csr may be freed). */
void spx_transform_csr_free(spx_transform_csr *csr);

/* Compare two interactions: <0, 0, >0 by degree then lexicographically. */
int spx_interaction_cmp(const uint32_t *a, uint32_t da, const uint32_t *b, uint32_t db);

#endif

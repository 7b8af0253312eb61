/*
 * yaml_tree.h - load a YAML document (libyaml) into a tree of maps,
 * sequences and scalars, for the conformance runners.  Single-threaded.
 */
#ifndef AUTHMILTER_YAML_TREE_H
#define AUTHMILTER_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

enum ynode_type {
	YNODE_SCALAR,
	YNODE_SEQ,
	YNODE_MAP
};

struct ynode {
	enum ynode_type type;
	char *scalar;		/* YNODE_SCALAR: the value */
	size_t scalar_len;
	bool plain;		/* scalar written without quotes (so "null" means null) */
	size_t n;		/* YNODE_SEQ / YNODE_MAP: number of items */
	char **keys;		/* YNODE_MAP: keys */
	struct ynode **items;	/* values */
	int line;		/* 1-based line of the node in the file */
};

/* yaml_load_file - parse path; NULL on error with the reason in err. */
struct ynode *yaml_load_file(const char *path, char *err, size_t errsize);

/* ynode_free - release a tree. */
void ynode_free(struct ynode *n);

/* ynode_get - value of key in a map, or NULL (also when n is not a map). */
const struct ynode *ynode_get(const struct ynode *n, const char *key);

/* ynode_str - scalar value of key in a map, or NULL when absent, null or not a scalar. */
const char *ynode_str(const struct ynode *n, const char *key);

/* ynode_is_null - is n absent or a plain "null" / "~" / empty scalar? */
bool ynode_is_null(const struct ynode *n);

/* ynode_bool - value of a true/false scalar key; dflt when absent. */
bool ynode_bool(const struct ynode *n, const char *key, bool dflt);

#endif

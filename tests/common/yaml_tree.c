/*
 * yaml_tree.c - YAML to tree loader over libyaml's event parser (see
 * yaml_tree.h).  Anchors and aliases are not supported (the suites do not
 * use them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "yaml_tree.h"

#define YAML_MAX_DEPTH 64

/* node_new - allocate a node of a type. */
static struct ynode *
node_new(enum ynode_type type, int line)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		perror("calloc");
		exit(99);
	}
	n->type = type;
	n->line = line;
	return n;
}

/* node_push - append a child (and its key for maps). */
static void
node_push(struct ynode *parent, char *key, struct ynode *child)
{
	parent->items = realloc(parent->items, (parent->n + 1) * sizeof(*parent->items));
	parent->keys = realloc(parent->keys, (parent->n + 1) * sizeof(*parent->keys));
	if (parent->items == NULL || parent->keys == NULL) {
		perror("realloc");
		exit(99);
	}
	parent->items[parent->n] = child;
	parent->keys[parent->n] = key;
	parent->n++;
}

/* scalar_node - node for a scalar event. */
static struct ynode *
scalar_node(const yaml_event_t *ev)
{
	struct ynode *n = node_new(YNODE_SCALAR, (int)ev->start_mark.line + 1);

	n->scalar_len = ev->data.scalar.length;
	n->scalar = malloc(n->scalar_len + 1);
	if (n->scalar == NULL) {
		perror("malloc");
		exit(99);
	}
	memcpy(n->scalar, ev->data.scalar.value, n->scalar_len);
	n->scalar[n->scalar_len] = '\0';
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return n;
}

struct loader {
	struct ynode *stack[YAML_MAX_DEPTH];
	char *pending_key[YAML_MAX_DEPTH];
	int depth;
	struct ynode *root;
};

/* attach - hang a finished node under the current container. */
static int
attach(struct loader *ld, struct ynode *n)
{
	struct ynode *top;

	if (ld->depth == 0) {
		if (ld->root == NULL)
			ld->root = n;
		else
			ynode_free(n);
		return 0;
	}
	top = ld->stack[ld->depth - 1];
	if (top->type == YNODE_SEQ) {
		node_push(top, NULL, n);
		return 0;
	}
	if (ld->pending_key[ld->depth - 1] == NULL) {
		if (n->type != YNODE_SCALAR) {
			ynode_free(n);
			return -1;
		}
		ld->pending_key[ld->depth - 1] = n->scalar;
		n->scalar = NULL;
		ynode_free(n);
		return 0;
	}
	node_push(top, ld->pending_key[ld->depth - 1], n);
	ld->pending_key[ld->depth - 1] = NULL;
	return 0;
}

/* handle_event - one parser event; returns 1 at stream end, -1 on error. */
static int
handle_event(struct loader *ld, const yaml_event_t *ev)
{
	struct ynode *n;
	int line = (int)ev->start_mark.line + 1;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return attach(ld, scalar_node(ev));
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ld->depth >= YAML_MAX_DEPTH)
			return -1;
		n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? YNODE_SEQ : YNODE_MAP, line);
		ld->stack[ld->depth] = n;
		ld->pending_key[ld->depth] = NULL;
		ld->depth++;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		ld->depth--;
		free(ld->pending_key[ld->depth]);
		return attach(ld, ld->stack[ld->depth]);
	case YAML_ALIAS_EVENT:
		return -1;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

struct ynode *
yaml_load_file(const char *path, char *err, size_t errsize)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct loader ld;
	FILE *fp;
	int rc = 0;

	memset(&ld, 0, sizeof(ld));
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsize, "%s: cannot open", path);
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	while (rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			snprintf(err, errsize, "%s:%lu: %s", path,
			    (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "parse error");
			rc = -1;
			break;
		}
		rc = handle_event(&ld, &ev);
		if (rc < 0)
			snprintf(err, errsize, "%s:%lu: unsupported YAML construct", path,
			    (unsigned long)ev.start_mark.line + 1);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	if (rc < 0) {
		while (ld.depth > 0) {
			ld.depth--;
			free(ld.pending_key[ld.depth]);
			ynode_free(ld.stack[ld.depth]);
		}
		ynode_free(ld.root);
		return NULL;
	}
	return ld.root;
}

void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			free(n->keys[i]);
		ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->scalar);
	free(n);
}

const struct ynode *
ynode_get(const struct ynode *n, const char *key)
{
	size_t i;

	if (n == NULL || n->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < n->n; i++)
		if (strcmp(n->keys[i], key) == 0)
			return n->items[i];
	return NULL;
}

bool
ynode_is_null(const struct ynode *n)
{
	if (n == NULL)
		return true;
	if (n->type != YNODE_SCALAR || !n->plain)
		return false;
	return n->scalar_len == 0 || strcmp(n->scalar, "null") == 0 ||
	    strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "Null") == 0;
}

const char *
ynode_str(const struct ynode *n, const char *key)
{
	const struct ynode *v = ynode_get(n, key);

	if (v == NULL || v->type != YNODE_SCALAR || ynode_is_null(v))
		return NULL;
	return v->scalar;
}

bool
ynode_bool(const struct ynode *n, const char *key, bool dflt)
{
	const char *s = ynode_str(n, key);

	if (s == NULL)
		return dflt;
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0;
}

/* parse_int.h - internals shared by the keyword tables and the walker. */
#ifndef VIGIL_PARSE_INT_H
#define VIGIL_PARSE_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "cf_reader.h"
#include "conf.h"
#include "diag.h"
#include "model.h"

struct pctx;
struct kw;

typedef void kw_fn(struct pctx *pc, const struct cf_line *ln, const struct kw *kw);
/* Called at a block's closing brace (END may be NULL at end of file). */
typedef void kw_end_fn(struct pctx *pc, const struct cf_line *end);
/* One entry of a value block (virtual_ipaddress, track_script, ...). */
typedef void kw_entry_fn(struct pctx *pc, const struct cf_line *ln);

enum kw_type {
	KT_CUSTOM,	/* fn does everything */
	KT_FLAG,	/* no argument: set bool */
	KT_OPTBOOL,	/* [BOOL]: bool, true without argument */
	KT_OPTBOOL_INT,	/* [BOOL] into an int field (CF_UNSET default) */
	KT_STR,		/* one word: pool string */
	KT_IFNAME,	/* one word: char[IF_NAMESIZE] */
	KT_INT,		/* int within [min, max], else error and keep */
	KT_UINT,	/* unsigned within [min, max] */
	KT_TIMER_US,	/* decimal seconds into uint32_t microseconds */
	KT_TIMER_US64,	/* same into uint64_t */
	KT_ADDR,	/* an IPv4/IPv6 address into struct cf_inaddr */
	KT_SCRIPT,	/* SCRIPT [USER [GROUP]] into struct cf_script * */
	KT_BLOCK,	/* keyword { ... } with its own table */
	KT_VALUES,	/* keyword { entry ... } */
	KT_IGNORED,	/* recognised, kept, not acted on */
	KT_IGNORED_BLOCK,
	KT_IGNORED_VALUES,
};

/* Which object the current block fills. */
enum kw_target {
	TG_MODEL,
	TG_GLOBAL,
	TG_SCRIPT,
	TG_TFILE,
	TG_TPROC,
	TG_INSTANCE,
	TG_GROUP,
	TG_VS,
	TG_RS,
	TG_CHECKER,
	TG_URL,
	TG_NONE,
};

#define KF_DEPRECATED	(1u << 0)	/* warn: deprecated (rc 5) */
#define KF_QUIET_DEPR	(1u << 1)	/* deprecated alias, accepted silently */
#define KF_NOTE_ONCE	(1u << 2)	/* "not implemented" note */

struct kw_block;

struct kw {
	const char *name;
	enum kw_type type;
	size_t off;
	long long min, max;
	kw_fn *fn;
	const struct kw_block *sub;
	kw_entry_fn *entry;
	unsigned flags;
	const char *alias_of;	/* deprecated alias: the keyword to use */
};

struct kw_block {
	const char *name;
	enum kw_target target;
	const struct kw *kws;
	kw_end_fn *end;
};

struct pctx {
	struct cf_model *m;
	struct diag *d;
	const struct cf_options *opts;
	const struct cf_lines *lines;
	size_t pos;

	bool script_user_bad;		/* global_defs' script_user is unknown */

	/* current objects (keepalived keeps these in globals) */
	struct cf_vrrp_script *script;
	struct cf_track_file *tfile;
	struct cf_track_process *tproc;
	struct cf_vrrp_instance *vi;
	struct cf_sync_group *sg;
	struct cf_virtual_server *vs;
	struct cf_real_server *rs;
	struct cf_checker *chk;
	struct cf_url *url;
	struct cf_track_list *tracks;	/* value block being filled */
	struct cf_ipaddress_list *addrs;
	struct cf_route_list *routes;
	bool routes_are_rules;
	const char *value_kw;		/* keyword of that value block */

	struct {			/* virtual_server_group being read */
		unsigned entries, v4, v6, fwmark_nofamily;
	} vsg;

	const char **noted;		/* keywords already reported as ignored */
	size_t nnoted;
	bool stop;			/* missing parameter: stop like keepalived */
};

/* the tables */
extern const struct kw_block kb_top;
extern const struct kw_block kb_global;
extern const struct kw_block kb_vrrp_script;
extern const struct kw_block kb_track_file;
extern const struct kw_block kb_track_process;
extern const struct kw_block kb_sync_group;
extern const struct kw_block kb_instance;
extern const struct kw_block kb_virtual_server;
extern const struct kw_block kb_bfd_instance;

/* diagnostics at a word of a line (word index may be past the end) */
void pc_err(struct pctx *pc, const struct cf_line *ln, unsigned word,
	    enum diag_class cls, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void pc_warn(struct pctx *pc, const struct cf_line *ln, unsigned word,
	     enum diag_class cls, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void pc_note(struct pctx *pc, const struct cf_line *ln, unsigned word,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* a diagnostic without a line, as keepalived prints many */
void pc_global(struct pctx *pc, enum diag_level lvl, enum diag_class cls,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* word I or report keepalived's missing-parameter error */
const char *pc_arg(struct pctx *pc, const struct cf_line *ln, unsigned i);

struct cf_loc pc_loc(const struct cf_line *ln);
char *pc_strdup(struct pctx *pc, const char *s);
void *pc_push(struct pctx *pc, void **arr, size_t *n, size_t elem);
#define PC_PUSH(pc, arr, n) \
	((__typeof__(arr))pc_push((pc), (void **)&(arr), &(n), sizeof(*(arr))))

/* value parsers: report problems with keepalived's wording, return ok */
bool pc_int(struct pctx *pc, const struct cf_line *ln, unsigned i,
	    long long min, long long max, long long *out);
/* keepalived's read_unsigned: as pc_int, but beyond 32 bits it is
 * "outside unsigned integer range" */
bool pc_uint(struct pctx *pc, const struct cf_line *ln, unsigned i,
	     uint32_t min, uint32_t max, uint32_t *out);
/* USER exists, and GROUP too if not NULL (the host's NSS) */
bool pc_user_known(const char *user, const char *group);
bool pc_timer(struct pctx *pc, const struct cf_line *ln, unsigned i,
	      uint64_t min_us, uint64_t max_us, uint64_t *out);
int pc_bool(const char *s);	/* 1, 0, or -1 if not a BOOL */
bool pc_addr(const char *s, struct cf_inaddr *a, uint8_t *prefix, bool *has_prefix);
struct cf_script *pc_script(struct pctx *pc, const struct cf_line *ln,
			    unsigned first);
void pc_unsupported(struct pctx *pc, struct cf_unsupported_list *list,
		    const struct cf_line *ln);
void pc_note_ignored(struct pctx *pc, const struct cf_line *ln);

/* the walker */
void pc_walk_block(struct pctx *pc, const struct kw_block *kb);
/* returns the closing '}' line, or NULL at end of input */
const struct cf_line *pc_read_values(struct pctx *pc, const struct cf_line *opener,
				     kw_entry_fn *entry);
/* the same without the opener check, for NAME { entries } blocks */
const struct cf_line *pc_read_entries(struct pctx *pc, kw_entry_fn *entry);
const struct cf_line *pc_next(struct pctx *pc);
const struct cf_line *pc_peek(struct pctx *pc);

/* shared entry parsers (address specs, routes, tracker references) */
void pc_addr_entry(struct pctx *pc, const struct cf_line *ln);
void pc_route_entry(struct pctx *pc, const struct cf_line *ln);
void pc_track_entry(struct pctx *pc, const struct cf_line *ln);

/* block handlers shared between the keyword tables */
kw_fn kw_vrrp_script;
kw_fn kw_track_file;
kw_fn kw_track_process;
kw_fn kw_sync_group;
kw_fn kw_vrrp_instance;
kw_fn kw_virtual_server;
kw_fn kw_static_addrs;
kw_fn kw_static_routes;
kw_fn kw_bfd_instance;
kw_fn kw_linkbeat_interfaces;
kw_fn kw_up_down_delays;
kw_fn kw_vs_group;
void kw_garp_value(struct pctx *pc, const struct cf_line *ln, struct cf_garp *g,
		   const char *name);
void kw_extra_if(struct pctx *pc, const struct cf_line *ln, struct cf_garp *g,
		 long long min);

/* validation after the walk */
void validate_model(struct pctx *pc);

#endif

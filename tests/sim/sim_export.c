/*
 * The export faces over simulated runs: builds a random multipath network
 * from a seed (2 to 4 stages of 1 to 3 routers, meshed or not, maybe 30%
 * forwarding loss behind one router), runs the engine over it in virtual
 * time as the program would (adaptive discovery, 20 rounds), and writes
 * the diagnosed snapshot through the JSON, CSV and Graphviz faces, for
 * tests/sim/t_export.sh to render, parse, validate and compare.
 *
 *   sim_export SEED DIR     writes DIR/sim.json, DIR/sim.csv, DIR/sim.dot
 *                           and prints the network it built
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "face/csv.h"
#include "face/dot.h"
#include "face/json.h"
#include "numparse.h"
#include "simrun.h"

/* A small deterministic generator, so a seed names one network. */
static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Writes one face's output to DIR/NAME; false when the file cannot be written. */
static bool write_face(const char *dir, const char *name, const struct results *r, int face)
{
	char path[4096];
	FILE *f;
	bool good = true;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return false;
	if (face == 0) {
		struct json_options o = {.target_name = "sim.example", .version = "VERSION",
					 .started_us = 1767225600000000ull,
					 .finished_us = 1767225620000000ull, .end = {.reason = "done"}};

		good = json_print_report(f, r, &o);
	} else if (face == 1) {
		struct csv_options o = {.target_name = "sim.example", .version = "VERSION",
					.start_time = 1767225600, .status = "done"};

		csv_print(f, r, &o);
	} else {
		struct dot_options o = {.target_name = "sim.example", .version = "VERSION",
					.status = "done"};

		dot_print(f, r, &o);
	}
	return fclose(f) == 0 && good;
}

/* The network of a seed; says what it built on stdout. */
static struct simnet *build(uint32_t seed, const struct engine_config *cfg)
{
	uint32_t s = seed * 2654435761u ^ 0x9e3779b9u;
	int nstages = 3 + (int)(next_rand(&s) % 3), widths[5];
	bool meshed = next_rand(&s) % 2;
	struct simnet *n;

	widths[0] = 1;
	widths[nstages - 1] = 1;
	for (int i = 1; i < nstages - 1; i++)
		widths[i] = 1 + (int)(next_rand(&s) % 3);
	n = simnet_diamond(&cfg->src, &cfg->dst, widths, nstages, meshed, seed);
	printf("stages");
	for (int i = 0; i < nstages; i++)
		printf(" %d", widths[i]);
	printf(", %s", meshed ? "meshed" : "not meshed");
	if (n != NULL && next_rand(&s) % 2) {
		int stage = 2 + (int)(next_rand(&s) % (uint32_t)(nstages - 2));
		int index = (int)(next_rand(&s) % (uint32_t)widths[stage - 1]);

		simnet_node(n, simnet_at(n, stage, index))->fwd_loss = 0.3;
		printf(", 30%% loss behind router %d of stage %d", index, stage);
	}
	printf("\n");
	return n;
}

int main(int argc, char **argv)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	long long seed;
	char why[96];
	bool good;

	if (argc != 3 || !parse_int(argv[1], 0, 0xffffffffLL, &seed, why, sizeof(why))) {
		fprintf(stderr, "usage: sim_export SEED DIR\n");
		return 2;
	}
	simrun_config(&cfg, AF_INET);
	cfg.seed = (uint32_t)seed;
	cfg.rounds = 20;
	cfg.adaptive = true;
	n = build((uint32_t)seed, &cfg);
	if (n == NULL)
		return 1;
	if (!simrun_case_run(&c, &cfg, n, NULL)) {
		fprintf(stderr, "sim_export: the simulated run failed: %s %s\n", c.err, c.run.why);
		simrun_case_free(&c);
		simnet_free(n);
		return 1;
	}
	good = write_face(argv[2], "sim.json", c.res, 0) && write_face(argv[2], "sim.csv", c.res, 1) &&
	       write_face(argv[2], "sim.dot", c.res, 2);
	printf("%d hops, %d flows, %d findings\n", c.res->nhops, c.res->nflows,
	       c.res->findings ? c.res->findings->count : 0);
	simrun_case_free(&c);
	simnet_free(n);
	return good ? 0 : 1;
}

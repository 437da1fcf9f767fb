# Capsule: one entry point for deps, kernel objects, skeleton, binary, tests and bench.
#   make            build build/capsule
#   make demo       install deps, build, run examples/agent.py under Capsule (as root)
#   make test       unit tests, then integration tests as root (SANITIZE=1: ASan+UBSan)
#   make bench      workloads bare / under capsule / under strace -f, with ratios
#   make ARCH=arm64 bpf   the BPF objects for arm64
#   V=1             show the commands

BUILD     ?= build
V         ?= 0
SANITIZE  ?= 0
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH      ?= $(HOST_ARCH)

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
             -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)/gen -I$(BUILD)
LDLIBS    := -lbpf -lelf -lz -lcrypto -lsqlite3 -ljson-c -lyaml -lpthread -lresolv
ifeq ($(SANITIZE),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif

# vmlinux.h: from the running kernel's BTF for the host arch; committed for arm64
ifeq ($(ARCH),$(HOST_ARCH))
VMLINUX_DIR := $(BUILD)/vmlinux/$(ARCH)
else
VMLINUX_DIR := bpf/vmlinux/$(ARCH)
endif
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -I$(VMLINUX_DIR)

BPF_SRC   := bpf/capsule.bpf.c
BPF_HDRS  := $(wildcard bpf/*.h) include/capsule/event.h
BPF_OBJ   := $(BUILD)/bpf/$(ARCH)/capsule.bpf.o
SKEL      := $(BUILD)/capsule.skel.h
SYSTAB    := $(BUILD)/gen/syscall_table.h
SCHEMA_H  := $(BUILD)/gen/schema_sql.h

SRCS      := $(shell find src -name '*.c' | sort)
OBJS      := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPERS   := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(wildcard tests/integration/*.c)) \
             $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.PHONY: all bpf deps demo test unit integration bench fuzz clean
all: $(BUILD)/capsule $(HELPERS)

deps:
	$(Q)scripts/deps.sh

bpf: $(BPF_OBJ)

$(BUILD)/vmlinux/$(HOST_ARCH)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "capsule: this kernel has no BTF (/sys/kernel/btf/vmlinux); it needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BPF_OBJ): $(BPF_SRC) $(BPF_HDRS) $(VMLINUX_DIR)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name capsule_bpf > $@.tmp && mv $@.tmp $@

$(SYSTAB): src/trace/syscalls.def scripts/gen-syscall-table.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/gen-syscall-table.sh $< > $@.tmp && mv $@.tmp $@

# the store's schema, embedded as one C string (src/store/schema.sql is the one source)
$(SCHEMA_H): src/store/schema.sql
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(SKEL) $(SYSTAB) $(SCHEMA_H) $(wildcard src/*/*.h src/*.h include/capsule/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/capsule: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# (the skeleton too: test_btf_layouts embeds the BPF object)
$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS) $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB_OBJS) -o $@ $(LDLIBS) -lcmocka

# helper programs run by the tests and the bench: plain C, no sanitizers (they are the "agent")
$(BUILD)/tests/%: tests/integration/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@

# the hash chain micro-bench links the chain code itself
$(BUILD)/bench/chain: bench/chain.c $(BUILD)/obj/log/chain.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(BUILD)/obj/log/chain.o -o $@ -lcrypto
# the store bench drives the real reader path (decode, view, formatters, store): linked with it
$(BUILD)/bench/store_bench: bench/store_bench.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB_OBJS) -o $@ $(LDLIBS)

$(BUILD)/bench/%: bench/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@

# the enrichment bench runs the library's own code: linked with it, like the unit tests
$(BUILD)/bench/enrich: bench/enrich.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB_OBJS) -o $@ $(LDLIBS)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh

unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do echo "  UNIT     $$t"; $$t || exit 1; done

integration: all
	$(Q)python3 tests/integration/run.py

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)python3 bench/run.py

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(SRCS) $(SKEL) $(SYSTAB) $(SCHEMA_H)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)/gen -I$(BUILD) \
		$< $(filter-out src/main.c,$(SRCS)) -o $@ $(LDLIBS)
FUZZ_SECONDS ?= 30
fuzz: $(FUZZ_TARGETS)
	$(Q)for f in $(FUZZ_TARGETS); do echo "  FUZZ     $$f ($(FUZZ_SECONDS)s)"; \
		mkdir -p $(BUILD)/corpus/$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/corpus/$$(basename $$f) >$(BUILD)/fuzz/$$(basename $$f).log 2>&1 || { tail -40 $(BUILD)/fuzz/$$(basename $$f).log; exit 1; }; done

clean:
	rm -rf $(BUILD)

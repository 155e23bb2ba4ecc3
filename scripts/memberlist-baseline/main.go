// memberlist-baseline: hashicorp/memberlist (the version MetalLB pins) as a tiny CLI that prints the
// same event lines as `ferrolb memberlist`, so the membership benchmark measures both the same way.
//
//	memberlist-baseline --name N --bind ADDR --port P [--join A:P,...] [--key-file F]
//	                    [--profile metallb|tuned] [--rejoin-interval 60s]
//
// stdout, one line per event: <unix_ms> join|leave|update <node> <alive|suspect|dead|left>
// SIGTERM/SIGINT: Leave (bounded wait) then Shutdown, as MetalLB's speaker does.
package main

import (
	"bufio"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

var out = bufio.NewWriter(os.Stdout)
var outMu sync.Mutex

func emit(kind string, n *memberlist.Node) {
	state := "alive"
	switch n.State {
	case memberlist.StateSuspect:
		state = "suspect"
	case memberlist.StateDead:
		state = "dead"
	case memberlist.StateLeft:
		state = "left"
	}
	// v0.5.1 hands NotifyLeave the embedded Node, whose State is not the member's state (nodeState keeps
	// its own): a leave event says "dead" then, for a death and a graceful leave alike.
	if kind == "leave" && state == "alive" {
		state = "dead"
	}
	outMu.Lock()
	fmt.Fprintf(out, "%d %s %s %s\n", time.Now().UnixMilli(), kind, n.Name, state)
	out.Flush()
	outMu.Unlock()
}

type events struct{}

func (events) NotifyJoin(n *memberlist.Node)   { emit("join", n) }
func (events) NotifyLeave(n *memberlist.Node)  { emit("leave", n) }
func (events) NotifyUpdate(n *memberlist.Node) { emit("update", n) }

func readKeys(path string) [][]byte {
	f, err := os.Open(path)
	if err != nil {
		log.Fatalf("--key-file: %v", err)
	}
	defer f.Close()
	var keys [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(k) != 32 {
			log.Fatalf("--key-file %s: each line must be a base64 32-byte key", path)
		}
		keys = append(keys, k)
	}
	return keys
}

func main() {
	name := flag.String("name", "", "node name")
	bind := flag.String("bind", "0.0.0.0", "bind address")
	port := flag.Int("port", 7946, "port")
	join := flag.String("join", "", "comma-separated ADDR:PORT to join")
	keyFile := flag.String("key-file", "", "keyring file: base64 32-byte keys, first is primary")
	profile := flag.String("profile", "metallb", "metallb (DefaultLANConfig) or tuned (probe 200ms, timeout 100ms, suspicion mult 2)")
	rejoin := flag.Duration("rejoin-interval", 60*time.Second, "re-join the --join peers this often (MetalLB re-joins every minute; 0 = never)")
	flag.Parse()
	if *name == "" {
		log.Fatal("--name is required")
	}

	cfg := memberlist.DefaultLANConfig()
	switch *profile {
	case "metallb":
	case "tuned":
		cfg.ProbeInterval = 200 * time.Millisecond
		cfg.ProbeTimeout = 100 * time.Millisecond
		cfg.SuspicionMult = 2
	default:
		log.Fatalf("--profile: unknown %q", *profile)
	}
	cfg.Name = *name
	cfg.BindAddr = *bind
	cfg.BindPort = *port
	cfg.AdvertiseAddr = *bind
	cfg.AdvertisePort = *port
	cfg.Events = events{}
	cfg.LogOutput = io.Discard
	if os.Getenv("BASELINE_DEBUG") != "" {
		cfg.LogOutput = os.Stderr
	}
	if *keyFile != "" {
		keys := readKeys(*keyFile)
		if len(keys) == 0 {
			log.Fatalf("--key-file %s: no keys", *keyFile)
		}
		kr, err := memberlist.NewKeyring(keys, keys[0])
		if err != nil {
			log.Fatal(err)
		}
		cfg.Keyring = kr
	}
	ml, err := memberlist.Create(cfg)
	if err != nil {
		log.Fatal(err)
	}
	var peers []string
	if *join != "" {
		// Not ourselves: a push/pull with ourselves "succeeds" and would end the join loop alone.
		self := fmt.Sprintf("%s:%d", *bind, *port)
		for _, p := range strings.Split(*join, ",") {
			if p != "" && p != self {
				peers = append(peers, p)
			}
		}
	}
	if len(peers) > 0 {
		go func() {
			for {
				if _, err := ml.Join(peers); err == nil {
					break
				}
				time.Sleep(time.Second)
			}
			if *rejoin <= 0 {
				return
			}
			for range time.Tick(*rejoin) {
				ml.Join(peers)
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	ml.Leave(2 * time.Second)
	ml.Shutdown()
}

// Command ferretdb runs embedded FerretDB with the SQLite backend (or, for
// measurements, the PostgreSQL backend) on a TCP port.
//
// We wrap the embeddable package instead of `go install`-ing FerretDB's own
// command because that build panics without its generated version file.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// addrPattern matches IPv4 and bracketed IPv6 host:port pairs, which FerretDB
// puts into connection errors; client addresses must never reach the log.
var addrPattern = regexp.MustCompile(`\[[0-9a-fA-F:.%]+\](:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?`)

// redact drops FerretDB's per-connection attributes (they hold the peer
// address) and masks addresses inside any other value.
func redact(_ []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case "name", "conn":
		return slog.Attr{}
	case slog.TimeKey, slog.LevelKey:
		return a
	}
	return slog.String(a.Key, addrPattern.ReplaceAllString(a.Value.String(), "[addr]"))
}

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "", "directory for the SQLite databases (required with sqlite)")
	handler := flag.String("handler", "sqlite", "sqlite, or postgresql (needs a binary built without the ferretdb_no_postgresql tag)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection string for the postgresql handler (required with postgresql)")
	// Not warn: FerretDB logs every failed command's full response at warn,
	// including duplicate-key errors that quote the stored values.
	logLevel := flag.String("log-level", "error", "one of debug, info, warn, error")
	// The password comes from the environment, never the command line, which any local user can list.
	username := flag.String("username", "", "require SCRAM authentication; create this user in admin at first start from $FERRETDB_PASSWORD")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: redact}))

	config := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:   logger,
		Handler:  *handler,
	}
	switch *handler {
	case "sqlite":
		if *dataDir == "" {
			log.Fatal("--data-dir is required")
		}
		dir, err := filepath.Abs(*dataDir)
		if err != nil {
			log.Fatal(err)
		}
		if err = os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		// The SQLite backend wants a directory URI with a trailing slash.
		config.SQLiteURL = "file:" + dir + "/"
	case "postgresql":
		if *postgresqlURL == "" {
			log.Fatal("--postgresql-url is required")
		}
		config.PostgreSQLURL = *postgresqlURL
	default:
		log.Fatalf("unknown --handler %q", *handler)
	}
	if *username != "" {
		password := os.Getenv("FERRETDB_PASSWORD")
		if password == "" {
			log.Fatal("--username needs FERRETDB_PASSWORD")
		}
		config.EnableNewAuth = true
		config.SetupDatabase = "admin"
		config.SetupUsername = *username
		config.SetupPassword = password
	}

	db, err := ferretdb.New(config)
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if err = db.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

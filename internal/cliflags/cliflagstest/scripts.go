package cliflagstest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Invocation is one command line of a workflow or CI script that runs a command of this project.
type Invocation struct {
	File string   // the script, relative to the repository root
	Line string   // the command line as written, continuation lines joined
	Args []string // the arguments after `go run ./cmd/NAME`, as bash would pass them
}

// Scripts are the files whose command lines CI and the workflows run.
var Scripts = []string{".github/workflows/*.yml", ".ci/*"}

var (
	alternative = regexp.MustCompile(`\$\{(\w+):\+([^}]*)\}`) // ${NAME:+words}
	array       = regexp.MustCompile(`"?\$\{\w+\[@\]\}"?`)    // "${NAME[@]}"
)

// Invocations finds every `go run ./cmd/NAME ...` (NAME may name a subcommand too: "fleet rollout") in the Scripts under root and splits its arguments as
// bash would for these simple lines: continuation lines joined, up to a redirection, pipe, ||, && or the
// end of a $(...); ${V:+words} gives words when V is set, "${A[@]}" (an optional array) nothing, and $V
// and ${V} value(V).
func Invocations(t *testing.T, root, name string, value func(variable string) string) []Invocation {
	t.Helper()
	prefix := "go run ./cmd/" + name + " "
	var out []Invocation
	for _, pattern := range Scripts {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, f)
			for _, line := range strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n") {
				_, cmd, ok := strings.Cut(line+" ", prefix)
				if !ok {
					continue
				}
				out = append(out, Invocation{File: rel, Line: strings.TrimSpace(line), Args: words(cmd, value)})
			}
		}
	}
	return out
}

func words(cmd string, value func(string) string) []string {
	cmd = alternative.ReplaceAllStringFunc(cmd, func(m string) string {
		sub := alternative.FindStringSubmatch(m)
		if value(sub[1]) == "" {
			return ""
		}
		return sub[2]
	})
	cmd = array.ReplaceAllString(cmd, "")
	var (
		args  []string
		word  strings.Builder
		in    bool // a word has begun (an empty "" is a word)
		quote rune
		depth int // ( ... ) inside a word, as in "[this run]($RUN_URL)"
	)
	flush := func() {
		if in {
			args = append(args, word.String())
		}
		word.Reset()
		in = false
	}
	r := []rune(cmd)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '$' && quote != '\'':
			j := i + 1
			braced := j < len(r) && r[j] == '{'
			if braced {
				j++
			}
			k := j
			for k < len(r) && (r[k] == '_' || r[k] >= 'A' && r[k] <= 'Z' || r[k] >= 'a' && r[k] <= 'z' || r[k] >= '0' && r[k] <= '9') {
				k++
			}
			word.WriteString(value(string(r[j:k])))
			in = true
			if braced && k < len(r) && r[k] == '}' {
				k++
			}
			i = k - 1
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				word.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t':
			flush()
		case c == '(':
			depth++
			word.WriteRune(c)
			in = true
		case c == ')' && depth > 0:
			depth--
			word.WriteRune(c)
		case c == ')' || c == '>' || c == '|' || c == ';' || c == '&':
			if c == '>' && word.String() == "2" {
				word.Reset()
				in = false
			}
			flush()
			return args
		default:
			word.WriteRune(c)
			in = true
		}
	}
	flush()
	return args
}

// KnownFlags checks that every invocation's flags and subcommand exist: run with the invocation's
// arguments and --help must print the usage and exit 0 (a renamed or removed flag exits 2). It says nothing
// of the values; a command whose workflows must also give the right flags checks them itself.
func KnownFlags(t *testing.T, run func(args []string, stdout, stderr io.Writer) int, invocations []Invocation) {
	t.Helper()
	for _, inv := range invocations {
		var stdout, stderr bytes.Buffer
		code := run(append(slices.Clone(inv.Args), "--help"), &stdout, &stderr)
		if code != 0 || !strings.HasPrefix(stdout.String(), "Usage:") {
			t.Errorf("%s: %q: with --help it exits %d, not 0 with the usage: a flag or subcommand it gives does not exist\nstderr:\n%s", inv.File, inv.Line, code, stderr.String())
		}
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"log-archive/internal/cistacks"
	"log-archive/internal/cliflags"
	"log-archive/internal/contract"
	"log-archive/internal/fleetverify"
	"log-archive/internal/stackconfig"
)

func init() {
	subcommands["verify"] = cliflags.Subcommand{
		Summary: "verify replication of every source stack (or a list) with each account's read-only role; Markdown, JSON and PNG reports",
		Run:     runVerify,
	}
}

// verifyAWS is how fleet verify reaches AWS: the base configuration (the default credential chain) and S3
// client options. Tests point both at the in-process stand-in.
var verifyAWS = struct {
	base      func(ctx context.Context, region string) (aws.Config, error)
	s3Options []func(*s3.Options)
}{
	base: func(ctx context.Context, region string) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithRegion(region))
	},
}

const verifyUsage = `Usage:
  fleet verify [--stacks a,b | --stacks-file FILE] [--archive STACK] [--canary] [flags]

Runs verify (docs/verify.md) over the source stacks of .github/stacks.yaml, each with its account's read-only
role (previewRole), and writes one grid: a row per source account, a column per check, OK, FAILED or
SKIPPED. By default the run is read-only: it checks each bucket's replication rule against the archive's
outputs and writes nothing; --canary also writes a canary per bucket and proves its replica, which needs a
role that may write to the source buckets (--role-name). Exit status: 0 when no check fails, 1 when one
does or the run cannot start, 2 for a usage error. See docs/fleet-health.md.

Flags:
`

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet verify", verifyUsage, stderr)
	dir := fs.String("dir", ".", "the project directory `DIR`: Pulumi.yaml, the stack files and .github/stacks.yaml")
	stacksFlag := fs.String("stacks", "", "the source `STACKS` to verify, comma-separated (default: every source stack of the archive)")
	stacksFile := fs.String("stacks-file", "", "a `FILE` naming the source stacks to verify, one per line")
	archiveFlag := fs.String("archive", "", "the archive (destination) `STACK`; needed only when .github/stacks.yaml has several")
	concurrency := fs.Int("concurrency", 8, "`N` stacks verified at once")
	roleName := fs.String("role-name", "", "assume the role `NAME` in every account instead of each stack's previewRole")
	tokenFile := fs.String("web-identity-token-file", "", "assume each role with the OIDC token in `FILE` (GitHub Actions) instead of the default credentials")
	outputsDir := fs.String("outputs-dir", "", "read each stack's outputs from `DIR`/<stack>.json (saved from pulumi stack output --json) instead of the Pulumi CLI")
	pulumiCmd := fs.String("pulumi", "pulumi", "the Pulumi CLI `COMMAND`, logged in to the stacks' backend")
	canary := fs.Bool("canary", false, "write a canary per bucket and prove its replica (needs write access to the source buckets)")
	timeout := fs.Duration("timeout", 15*time.Minute, "with --canary: how long to wait for replication, per stack (a `DURATION` such as 15m)")
	markdown := fs.String("markdown", "-", "write the Markdown report to `FILE` (- for standard output)")
	markdownMax := fs.Int("markdown-max", 0, "keep the Markdown report under `BYTES` by leaving passing accounts out of its grid (0: no limit; a GitHub issue body holds 65,536 characters, and the fleet-health workflow uses 50000)")
	jsonOut := fs.String("json", "", "write the JSON report to `FILE`")
	pngOut := fs.String("png", "", "write the picture (PNG) to `FILE`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	usage := func(msg string) int { return cliflags.UsageError(fs, msg) }
	if *concurrency < 1 {
		return usage("--concurrency must be at least 1")
	}
	if *stacksFlag != "" && *stacksFile != "" {
		return usage("give --stacks or --stacks-file, not both")
	}
	if *markdown == "" && *jsonOut == "" && *pngOut == "" {
		return usage("no report to write: give --markdown, --json or --png")
	}

	all, err := cistacks.Load(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "fleet verify: %v\n", err)
		return 1
	}
	names, err := requestedStacks(*stacksFlag, *stacksFile)
	if err != nil {
		return usage(err.Error())
	}
	archive, sources, err := verifyTargets(all, *archiveFlag, names, *roleName)
	if err != nil {
		return usage(err.Error())
	}

	ctx := context.Background()
	outputs := func(ctx context.Context, stack string) (map[string]any, error) {
		if *outputsDir != "" {
			return contract.ReadOutputsFile(filepath.Join(*outputsDir, stack+".json"))
		}
		return contract.StackOutputs(ctx, *pulumiCmd, stack, *dir)
	}
	report, err := fleetverify.Run(ctx, fleetverify.Options{
		Archive: archive, Sources: sources, Outputs: outputs, Credentials: assumeRole(*tokenFile),
		S3Options: verifyAWS.s3Options, Concurrency: *concurrency, Canary: *canary, Timeout: *timeout, Poll: 5 * time.Second,
	})
	if err != nil {
		fmt.Fprintf(stderr, "fleet verify: %v\n", err)
		return 1
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{*markdown, func(w io.Writer) error { return report.WriteMarkdown(w, *markdownMax) }},
		{*jsonOut, report.WriteJSON},
		{*pngOut, report.WritePNG},
	} {
		if err := writeTo(out.path, stdout, out.write); err != nil {
			fmt.Fprintf(stderr, "fleet verify: writing %s: %v\n", out.path, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "fleet verify: %s\n", report.Headline())
	if !report.OK {
		return 1
	}
	return 0
}

// requestedStacks reads --stacks or --stacks-file (blank lines and # comments skipped); nil for all.
func requestedStacks(list, file string) ([]string, error) {
	text := strings.ReplaceAll(list, ",", "\n")
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--stacks-file: %w", err)
		}
		text = string(b)
	}
	var names []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	return names, nil
}

// verifyTargets picks the archive and its source stacks (all, or the named ones) from .github/stacks.yaml,
// each with the role to assume: its previewRole, or roleName in its account.
func verifyTargets(all []cistacks.Stack, archiveName string, names []string, roleName string) (fleetverify.Stack, []fleetverify.Stack, error) {
	role := func(s cistacks.Stack) string {
		if roleName == "" {
			return s.PreviewRole
		}
		return s.PreviewRole[:strings.LastIndex(s.PreviewRole, ":")+1] + "role/" + roleName
	}
	var archives []cistacks.Stack
	for _, s := range all {
		if s.Kind == string(stackconfig.KindDestination) && (archiveName == "" || s.Stack == archiveName) {
			archives = append(archives, s)
		}
	}
	switch {
	case len(archives) == 0 && archiveName != "":
		return fleetverify.Stack{}, nil, fmt.Errorf("--archive %s: no destination stack of that name in %s", archiveName, cistacks.File)
	case len(archives) == 0:
		return fleetverify.Stack{}, nil, fmt.Errorf("%s lists no destination stack", cistacks.File)
	case len(archives) > 1:
		var list []string
		for _, a := range archives {
			list = append(list, a.Stack)
		}
		return fleetverify.Stack{}, nil, fmt.Errorf("%s lists several destination stacks (%s): name one with --archive", cistacks.File, strings.Join(list, ", "))
	}
	a := archives[0]
	archive := fleetverify.Stack{Name: a.Stack, Account: a.Account, Region: a.Region, Role: role(a)}
	var sources []fleetverify.Stack
	var unknown []string
	for _, name := range names {
		if !slices.ContainsFunc(all, func(s cistacks.Stack) bool { return s.Stack == name && s.Kind == string(stackconfig.KindSource) }) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return archive, nil, fmt.Errorf("not source stacks of %s: %s", cistacks.File, strings.Join(unknown, ", "))
	}
	for _, s := range all {
		if s.Kind != string(stackconfig.KindSource) || stackconfig.DestinationStackName(s.DestinationStack) != a.Stack ||
			names != nil && !slices.Contains(names, s.Stack) {
			continue
		}
		sources = append(sources, fleetverify.Stack{Name: s.Stack, Account: s.Account, Region: s.Region, Role: role(s)})
	}
	if len(sources) == 0 {
		return archive, nil, fmt.Errorf("no source stack of %s replicates into %s", cistacks.File, a.Stack)
	}
	return archive, sources, nil
}

// assumeRole returns credentials for a role: AssumeRoleWithWebIdentity with the token file (GitHub's OIDC
// token, which each previewer role trusts for the fleet-health environment), else AssumeRole from the
// default credentials.
func assumeRole(tokenFile string) func(ctx context.Context, role, region string) (aws.Config, error) {
	return func(ctx context.Context, role, region string) (aws.Config, error) {
		cfg, err := verifyAWS.base(ctx, region)
		if err != nil {
			return cfg, err
		}
		client := sts.NewFromConfig(cfg)
		var provider aws.CredentialsProvider
		if tokenFile != "" {
			provider = stscreds.NewWebIdentityRoleProvider(client, role, stscreds.IdentityTokenFile(tokenFile),
				func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "log-archive-fleet-verify" })
		} else {
			provider = stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "log-archive-fleet-verify" })
		}
		cfg.Credentials = aws.NewCredentialsCache(provider)
		// Fail here, with the role's name, rather than in the first S3 call.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return cfg, err
		}
		return cfg, nil
	}
}

// writeTo writes to path, "-" being standard output; "" writes nothing.
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	switch path {
	case "":
		return nil
	case "-":
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

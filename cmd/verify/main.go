// Command verify proves that replication into the log archive works after a deploy: it writes a canary
// into each replicated source bucket and checks its replica in the archive (docs/deploying.md "Verify
// replication", docs/verify.md). `verify --help` lists its flags and the permissions it needs.
//
//	go run ./cmd/verify --source-stack workload-a --archive-stack destination \
//	    --source-profile workload-a --archive-profile log-archive
//	go run ./cmd/verify --explain DstKmsKeyNotFound
//
// Exit status: 0 when every bucket replicates correctly (and for --help and --explain), 1 when a check
// fails or the run cannot start, 2 for a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"log-archive/internal/cliflags"
	"log-archive/internal/contract"
	"log-archive/internal/verify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, defaultDeps()))
}

// deps are what the tests replace: AWS configuration and the Pulumi CLI.
type deps struct {
	loadConfig func(ctx context.Context, profile, region string) (aws.Config, error)
	s3Options  []func(*s3.Options)
	pulumi     string
}

func defaultDeps() deps {
	return deps{pulumi: "pulumi", loadConfig: func(ctx context.Context, profile, region string) (aws.Config, error) {
		var opts []func(*config.LoadOptions) error
		if profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(profile))
		}
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		return config.LoadDefaultConfig(ctx, opts...)
	}}
}

const usageText = `Usage:
  verify (--source-outputs FILE | --source-stack NAME) (--archive-outputs FILE | --archive-stack NAME) [flags]
  verify --explain REASON

For each bucket in the source stack's replicatedBuckets output, verify writes a canary object with the
source account's credentials, waits until S3 reports its replication status (HeadObject,
x-amz-replication-status) COMPLETED or FAILED, and reads the replica with the archive account's
credentials. A bucket passes when its log-archive rule is enabled, replicates SSE-KMS objects into the
archive with ReplicaKmsKeyID = archiveKeyArn and the stack's role (R4.8, R4.9), and its replica:
  - has replication status REPLICA (R5.10)
  - is encrypted aws:kms with SSEKMSKeyId = the archive key ARN (R4.9, R5.1, R5.3)
  - can be read with GetObject and is the canary byte for byte (R5.1)
  - has an Object Lock mode and a retain-until date in the future, when the archive has Object Lock (H3)

Inputs: the two stacks' outputs, saved from ` + "`pulumi stack output --json --stack NAME`" + ` (--source-outputs,
--archive-outputs), or read by running that command (--source-stack, --archive-stack; in --cwd, with the
Pulumi CLI logged in to the stacks' backend).

Regions: each source bucket is called in its own Region, from the source stack's bucketRegions output
(a source stack's buckets may be in several Regions). Source outputs without bucketRegions (stacks
deployed before it) name no Region: their buckets are called in --source-region, or else the source
profile's Region, and a bucket elsewhere fails with S3's PermanentRedirect and the Region it is in. The
archive bucket is called in archiveRegion, from the archive stack's outputs.

Canaries: <prefix>log-archive-canary/<UTC time>-<16 hex digits>.txt, where <prefix> is the prefix of the
bucket's log-archive rule, read from its replication configuration; --prefix BUCKET=PREFIX overrides it.
verify writes one new, uniquely named object per bucket and never overwrites or deletes anything, in
either account. Canaries stay: the archive's may be under Object Lock. To expire the source's, add a
lifecycle rule for the prefix log-archive-canary/ there.

Why a replication FAILED: S3 does not say on HeadObject. The reason is the failureReason of the S3 event
s3:Replication:OperationFailedReplication (and of a Batch Replication completion report); the rule's
CloudWatch metric OperationsFailedReplication counts failures (R5.4, R5.10). verify infers the likely
cause from what it can see and names the facts that explain it; --explain REASON explains a failureReason.

Credentials: the AWS SDK's default chain (environment, shared config and credentials files, SSO);
--source-profile and --archive-profile name profiles. Both are checked first with
sts:GetCallerIdentity (no permission needed) against the accounts the outputs name.

Permissions it needs:
  source account, for each bucket B with rule prefix P:
    s3:PutObject, s3:GetObject, s3:GetObjectVersion  on arn:aws:s3:::B/Plog-archive-canary/*
    kms:GenerateDataKey                              on B's default encryption key
    s3:GetReplicationConfiguration                   on arn:aws:s3:::B (optional: without it the
                                                     rule checks are skipped and --prefix gives P)
  archive account, archive bucket A:
    s3:GetObject, s3:GetObjectVersion                on arn:aws:s3:::A/*log-archive-canary/*
    s3:GetObjectRetention                            on the same, when the archive has Object Lock
                                                     (HeadObject omits the lock without it)
    kms:Decrypt                                      on the archive key (archiveKeyArn)

Exit status: 0 when every bucket replicates correctly, 1 when a check fails or the run cannot start
(credentials, outputs), 2 for a usage error.

Flags:
`

type prefixFlag map[string]string

func (p prefixFlag) String() string { return "" }
func (p prefixFlag) Set(v string) error {
	bucket, prefix, ok := strings.Cut(v, "=")
	if !ok || bucket == "" {
		return errors.New("want BUCKET=PREFIX, e.g. trail-logs=AWSLogs/")
	}
	p[bucket] = prefix
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, d deps) int {
	fs := cliflags.New("verify", usageText, stderr)
	sourceOutputs := fs.String("source-outputs", "", "the source stack's outputs, a `FILE` saved from pulumi stack output --json")
	archiveOutputs := fs.String("archive-outputs", "", "the archive stack's outputs, a `FILE` saved from pulumi stack output --json")
	sourceStack := fs.String("source-stack", "", "read the source stack's outputs with pulumi stack output --json --stack `NAME`")
	archiveStack := fs.String("archive-stack", "", "read the archive stack's outputs with pulumi stack output --json --stack `NAME`")
	cwd := fs.String("cwd", ".", "the Pulumi project `DIR` for --source-stack and --archive-stack")
	sourceProfile := fs.String("source-profile", "", "AWS `PROFILE` for the source account (default: the default credential chain)")
	archiveProfile := fs.String("archive-profile", "", "AWS `PROFILE` for the archive account (default: the default credential chain)")
	sourceRegion := fs.String("source-region", "", "the `REGION` of source buckets the source outputs' bucketRegions does not name: all of them for outputs without it (default: the source profile's region)")
	prefixes := prefixFlag{}
	fs.Var(prefixes, "prefix", "put the canary of `BUCKET=PREFIX` under PREFIX instead of the rule's prefix (repeatable)")
	var only listFlag
	fs.Var(&only, "bucket", "verify only this `BUCKET` of replicatedBuckets (repeatable; default: all)")
	timeout := fs.Duration("timeout", 15*time.Minute, "how long to wait for replication, all buckets together (a `DURATION` such as 15m)")
	poll := fs.Duration("poll", 5*time.Second, "the `DURATION` between two replication status reads")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of tables")
	explain := fs.String("explain", "", "explain a replication failureReason `REASON` (from the S3 event or a batch report) and exit")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	usage := func(msg string) int { return cliflags.UsageError(fs, msg) }
	if *explain != "" {
		text, ok := verify.Explain(*explain)
		if !ok {
			fmt.Fprint(stderr, text)
			return 2
		}
		fmt.Fprint(stdout, text)
		return 0
	}
	if (*sourceOutputs == "") == (*sourceStack == "") {
		return usage("give exactly one of --source-outputs FILE and --source-stack NAME")
	}
	if (*archiveOutputs == "") == (*archiveStack == "") {
		return usage("give exactly one of --archive-outputs FILE and --archive-stack NAME")
	}
	if *timeout <= 0 || *poll <= 0 {
		return usage("--timeout and --poll must be positive")
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "verify: %v\n", err)
		return 1
	}
	outputs := func(file, stack string) (map[string]any, error) {
		if file != "" {
			return contract.ReadOutputsFile(file)
		}
		return contract.StackOutputs(ctx, d.pulumi, stack, *cwd)
	}
	src, err := outputs(*sourceOutputs, *sourceStack)
	if err != nil {
		return fail(err)
	}
	dst, err := outputs(*archiveOutputs, *archiveStack)
	if err != nil {
		return fail(err)
	}
	target, err := verify.TargetFromOutputs(src, dst)
	if err != nil {
		return fail(err)
	}
	if len(only) > 0 {
		for _, b := range only {
			if !slices.Contains(target.Buckets, b) {
				return usage(fmt.Sprintf("--bucket %s: the source stack replicates only %s", b, strings.Join(target.Buckets, ", ")))
			}
		}
		target.Buckets = only
	}

	srcCfg, err := d.loadConfig(ctx, *sourceProfile, *sourceRegion)
	if err != nil {
		return fail(fmt.Errorf("loading the source account's AWS configuration: %w", err))
	}
	// Buckets bucketRegions does not name (all of them, for outputs without it) are called in the
	// fallback Region: --source-region, or else the profile's.
	var unplaced []string
	for _, b := range target.Buckets {
		if _, ok := target.BucketRegions[b]; !ok {
			unplaced = append(unplaced, b)
		}
	}
	regionFrom := "--source-region"
	switch {
	case len(unplaced) > 0 && srcCfg.Region == "":
		return usage(fmt.Sprintf("no Region for the source buckets %s (the source outputs have no bucketRegions for them): "+
			"pass --source-region or set one in the source profile", strings.Join(unplaced, ", ")))
	case len(unplaced) == 0 && *sourceRegion != "":
		fmt.Fprintf(stderr, "verify: --source-region %s is not used: the source outputs' bucketRegions names every bucket's Region\n", *sourceRegion)
	case *sourceRegion == "":
		regionFrom = "the Region of " + credentialsName(*sourceProfile)
	}
	if srcCfg.Region == "" {
		// Every bucket has its Region; sts:GetCallerIdentity still needs one.
		srcCfg.Region = target.BucketRegions[target.Buckets[0]]
	}
	dstCfg, err := d.loadConfig(ctx, *archiveProfile, target.ArchiveRegion)
	if err != nil {
		return fail(fmt.Errorf("loading the archive account's AWS configuration: %w", err))
	}
	report, err := verify.Run(ctx, verify.Options{
		Target: target,
		Source: verify.NewAccount(srcCfg, credentialsName(*sourceProfile), d.s3Options...),
		// SourceRegion is the client's: --source-region, or else the profile's.
		SourceRegionFrom: regionFrom,
		Archive:          verify.NewAccount(dstCfg, credentialsName(*archiveProfile), d.s3Options...),
		Prefixes:         prefixes, Timeout: *timeout, Poll: *poll, Progress: stderr,
	})
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		err = report.WriteJSON(stdout)
	} else {
		err = report.WriteText(stdout)
	}
	if err != nil {
		return fail(err)
	}
	if !report.OK {
		return 1
	}
	return 0
}

func credentialsName(profile string) string {
	if profile == "" {
		return "the default credential chain"
	}
	return fmt.Sprintf("profile %q", profile)
}

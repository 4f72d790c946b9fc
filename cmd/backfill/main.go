// Command backfill starts S3 Batch Replication for a source bucket, so that objects written before its
// replication rule existed (R4.12) and objects whose replication FAILED (R5.9) reach the archive, and
// follows the job to its end. `backfill --help` lists the role and permissions it needs (H6).
//
//	go run ./cmd/backfill --source-stack workload-a --bucket trail-logs \
//	    --report-bucket acme-batch-reports --profile workload-a
//	go run ./cmd/backfill --bucket trail-logs --role-arn arn:aws:iam::222222222222:role/log-archive-batch \
//	    --region us-east-2 --profile workload-a
//
// Exit status: 0 when the job completed with no failed task, 1 when it failed, had failed tasks, could
// not start, or was still running at --timeout, 2 for a usage error.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"log-archive/internal/awsid"
	"log-archive/internal/backfill"
	"log-archive/internal/cliflags"
	"log-archive/internal/contract"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, loadConfig))
}

func loadConfig(ctx context.Context, profile, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

const usageText = `Usage:
  backfill --bucket BUCKET (--source-stack NAME | --source-outputs FILE) [--report-bucket BUCKET] [flags]
  backfill --bucket BUCKET --role-arn ARN [--region REGION] [--report-bucket BUCKET] [flags]

Starts an S3 Batch Replication job in the source account for one source bucket: S3 generates the
manifest from the bucket (objects eligible for replication whose replication status is NONE or FAILED,
--statuses), and replicates each with the bucket's replication rule, so into the archive, under the
archive key. Objects written before the rule existed never replicate otherwise (R4.12), and S3 never
retries a FAILED object (R5.9). backfill then reads the job (DescribeJob) until it is Complete or Failed,
printing its status and task counts, and where the completion report is.

Run it with the source account's credentials, in the source bucket's Region, after the source stack
is deployed (the job uses the bucket's replication configuration). Fix what made objects fail first
(verify and verify --explain help): failed tasks carry the same failureReason values (R5.4).

The source stack's outputs, read with ` + "`pulumi stack output --json --stack NAME`" + ` (--source-stack, in --cwd)
or saved from it (--source-outputs), give the defaults: --bucket must be one of its replicatedBuckets;
--role-arn defaults to its backfillRoleArn, --region to the bucket's Region in its bucketRegions; and
the credentials must be for the account of its roles. --role-arn and --region override them. Outputs
of a source stack deployed before backfillRoleArn or bucketRegions lack them: pass --role-arn, and
--region unless the profile's Region is the bucket's (or run ` + "`pulumi up`" + ` on the source stack). Without
outputs, --role-arn is required and --region defaults to the profile's Region.

The role (--role-arn), which Batch Operations assumes (H6). Its trust policy:
  {"Effect": "Allow", "Principal": {"Service": "batchoperations.s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
Its permissions, for source bucket B and report bucket R with prefix P:
  s3:InitiateReplication                              on arn:aws:s3:::B/*
  s3:GetReplicationConfiguration, s3:PutInventoryConfiguration  on arn:aws:s3:::B
  s3:PutObject                                        on arn:aws:s3:::R/P/* (only with --report-bucket)
  kms:GenerateDataKey                                 on R's key, if R's default encryption is SSE-KMS
It needs nothing on the objects' keys or in the archive: S3 copies each object as the replication rule's
role, exactly as live replication does. The source stack creates such a role and exports it as
backfillRoleArn, the default with --source-stack or --source-outputs; it has no report permission, so
with --report-bucket grant it s3:PutObject on the report prefix. The live replication role is trusted by
s3.amazonaws.com only (R1.1) and cannot run the job.

The caller's permissions (the credentials backfill runs with):
  s3:CreateJob                                        on *
  s3:DescribeJob                                      on arn:aws:s3:<region>:<account>:job/*
  iam:PassRole                                        on the --role-arn role
  (sts:GetCallerIdentity, which needs no permission, finds the account when --account-id is not given)

The completion report (with --report-bucket) lists every object with its result, and each failed task's
failureReason: s3://R/P/job-<job id>/. Without --report-bucket there is no report; the job's task counts
still say how many failed.

Exit status: 0 when the job completed with no failed task (and for --help); 1 when the job ended Failed or
Cancelled, had a failed task, or was still running at --timeout (it goes on in AWS), or when backfill
could not read the outputs, use the credentials, create the job or follow it, or was interrupted; 2 for a
usage error (a --bucket the source stack does not replicate, outputs without backfillRoleArn, no Region).

Flags:
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, load func(context.Context, string, string) (aws.Config, error)) int {
	fs := cliflags.New("backfill", usageText, stderr)
	bucket := fs.String("bucket", "", "the source `BUCKET` to backfill (one of the source stack's replicatedBuckets)")
	sourceStack := fs.String("source-stack", "", "read the source stack's outputs with pulumi stack output --json --stack `NAME`")
	sourceOutputs := fs.String("source-outputs", "", "the source stack's outputs, a `FILE` saved from pulumi stack output --json")
	cwd := fs.String("cwd", ".", "the Pulumi project `DIR` for --source-stack")
	roleArn := fs.String("role-arn", "", "the Batch Operations role `ARN` (see above; default: the source outputs' backfillRoleArn)")
	accountID := fs.String("account-id", "", "the source `ACCOUNT` (default: the credentials' account)")
	profile := fs.String("profile", "", "AWS `PROFILE` of the source account (default: the default credential chain)")
	region := fs.String("region", "", "the source bucket's `REGION` (default: its Region in the source outputs' bucketRegions, else the profile's region)")
	reportBucket := fs.String("report-bucket", "", "write the completion report into `BUCKET` (in the source account)")
	reportPrefix := fs.String("report-prefix", "log-archive-backfill", "the report's key `PREFIX`")
	statuses := fs.String("statuses", strings.Join(backfill.DefaultStatuses, ","), "replication `STATUSES` to replicate, comma-separated: NONE (never tried), FAILED, COMPLETED (again)")
	priority := fs.Int("priority", 10, "the job's `PRIORITY` among the account's Batch Operations jobs")
	timeout := fs.Duration("timeout", 6*time.Hour, "how long to follow the job, a `DURATION` such as 6h (it goes on in AWS after that)")
	poll := fs.Duration("poll", 30*time.Second, "the `DURATION` between two DescribeJob calls")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	usage := func(msg string) int { return cliflags.UsageError(fs, msg) }
	fromOutputs := *sourceStack != "" || *sourceOutputs != ""
	switch {
	case *bucket == "":
		return usage("--bucket is required")
	case *sourceStack != "" && *sourceOutputs != "":
		return usage("give at most one of --source-stack NAME and --source-outputs FILE")
	case !fromOutputs && *roleArn == "":
		return usage("--role-arn is required without --source-stack or --source-outputs")
	}
	if err := awsid.ValidateBucketName(*bucket); err != nil {
		return usage("--bucket: " + err.Error())
	}
	if *roleArn != "" && (!strings.HasPrefix(*roleArn, "arn:") || !strings.Contains(*roleArn, ":role/")) {
		return usage("--role-arn must be an IAM role ARN, arn:aws:iam::<account>:role/<name>")
	}
	if *region != "" {
		if err := awsid.ValidateRegion(*region); err != nil {
			return usage("--region: " + err.Error())
		}
	}
	var statusList []string
	for _, s := range strings.Split(*statuses, ",") {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains([]string{"NONE", "FAILED", "COMPLETED"}, s) {
			return usage(fmt.Sprintf("--statuses: %q is not NONE, FAILED or COMPLETED", s))
		}
		statusList = append(statusList, s)
	}
	if *timeout <= 0 || *poll <= 0 || *priority < 0 {
		return usage("--timeout and --poll must be positive, --priority not negative")
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return 1
	}

	// The source stack's outputs give the role, the bucket's Region and the account; flags override.
	var stack backfill.StackDefaults
	if fromOutputs {
		var outputs map[string]any
		var err error
		if *sourceOutputs != "" {
			outputs, err = contract.ReadOutputsFile(*sourceOutputs)
		} else {
			outputs, err = contract.StackOutputs(ctx, "pulumi", *sourceStack, *cwd)
		}
		if err != nil {
			return fail(err)
		}
		if stack, err = backfill.DefaultsFromOutputs(outputs, *bucket); err != nil {
			if len(stack.Buckets) > 0 && !slices.Contains(stack.Buckets, *bucket) {
				return usage(err.Error())
			}
			return fail(err)
		}
		switch {
		case *roleArn != "":
		case stack.RoleArn != "":
			*roleArn = stack.RoleArn
			fmt.Fprintf(stderr, "backfill: the job runs as %s (the source stack's backfillRoleArn)\n", *roleArn)
		default:
			return usage("the source stack's outputs have no backfillRoleArn (it was deployed before it; `pulumi up` adds it): pass --role-arn")
		}
		switch {
		case stack.Region == "":
		case *region == "":
			*region = stack.Region
			fmt.Fprintf(stderr, "backfill: s3://%s is in %s (the source stack's bucketRegions)\n", *bucket, *region)
		case *region != stack.Region:
			fmt.Fprintf(stderr, "backfill: warning: --region %s, but the source stack's bucketRegions puts s3://%s in %s: "+
				"run the job in its bucket's Region unless you know better\n", *region, *bucket, stack.Region)
		}
	}
	cfg, err := load(ctx, *profile, *region)
	if err != nil {
		return fail(fmt.Errorf("loading the AWS configuration: %w", err))
	}
	if cfg.Region == "" {
		return usage("no Region: pass --region or set one in the profile")
	}
	account := *accountID
	if account == "" {
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return fail(fmt.Errorf("the credentials do not work (sts:GetCallerIdentity): %v. Fix: refresh them (e.g. `aws sso login`) or name another --profile", err))
		}
		account = aws.ToString(id.Account)
		if stack.Account != "" && account != stack.Account {
			return fail(fmt.Errorf("the credentials (%s) are for account %s, but the source stack is in account %s. Fix: name a profile for %s with --profile",
				credentialsName(*profile), account, stack.Account, stack.Account))
		}
	}
	if err := awsid.ValidateAccountID(account); err != nil {
		return usage("--account-id: " + err.Error())
	}
	if *accountID != "" && stack.Account != "" && account != stack.Account {
		return usage(fmt.Sprintf("--account-id %s: the source stack is in account %s", account, stack.Account))
	}
	partition, err := awsid.PartitionOf(cfg.Region)
	if err != nil {
		return usage(err.Error())
	}
	res, err := backfill.Run(ctx, backfill.Options{Client: s3control.NewFromConfig(cfg), Timeout: *timeout, Poll: *poll, Progress: stderr},
		backfill.Request{AccountID: account, Bucket: *bucket, Partition: partition, RoleArn: *roleArn, Statuses: statusList,
			ReportBucket: *reportBucket, ReportPrefix: *reportPrefix, Priority: int32(*priority)})
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fail(err)
		}
	} else {
		writeText(stdout, res, account, cfg.Region)
	}
	if !res.OK {
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

func writeText(w io.Writer, r *backfill.Result, account, region string) {
	fmt.Fprintf(w, "job %s: %s; %d tasks: %d succeeded, %d failed\n", r.JobID, r.Status, r.Total, r.Succeeded, r.Failed)
	for _, f := range r.FailureReasons {
		fmt.Fprintf(w, "  job failure: %s\n", f)
	}
	if r.Report != "" {
		fmt.Fprintf(w, "completion report: %s\n", r.Report)
	}
	switch {
	case r.TimedOut:
		fmt.Fprintf(w, "still %s at --timeout; the job goes on. Follow it with:\n  aws s3control describe-job --account-id %s --region %s --job-id %s\n",
			r.Status, account, region, r.JobID)
	case r.Failed > 0:
		fmt.Fprintln(w, "some objects did not replicate: the report's failureReason column says why; `verify --explain REASON` explains each")
	}
}

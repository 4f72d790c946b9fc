// Package verify proves that replication into the log archive works end to end: it writes a canary
// object into each replicated source bucket, waits for S3 to replicate it, and reads the replica back
// as the archive account, checking what R5.10 and H3 say a correct replica looks like.
package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log-archive/internal/contract"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// CanaryDir is the folder, under the rule's prefix, that holds verify's canaries. Their names are
// unique (time and 8 random bytes), so a canary never overwrites anything, not even another canary.
const CanaryDir = "log-archive-canary/"

// Account is one account's clients and how the user named its credentials (for messages).
type Account struct {
	S3          *s3.Client
	STS         *sts.Client
	Credentials string // e.g. `profile "workload-a"` or "the default credential chain"
}

// Options are everything Run needs.
type Options struct {
	Target          Target
	Source, Archive Account
	// SourceRegion is the Region of the source buckets that Target.BucketRegions does not name (all of
	// them, for outputs older than bucketRegions); "" is the Source client's Region. SourceRegionFrom
	// says where it came from, for the report (e.g. "--source-region").
	SourceRegion, SourceRegionFrom string
	// Prefixes overrides, per bucket, the prefix the canary goes under; by default it is the prefix of
	// the bucket's log-archive rule, read from its replication configuration.
	Prefixes map[string]string
	// ReadOnly checks the replication rules only: no canary is written, and the canary and replica
	// checks are skipped. What read-only credentials (the previewer role) can do: `fleet verify` by default.
	ReadOnly bool
	Timeout  time.Duration // how long to wait for replication, all buckets together
	Poll     time.Duration // between HeadObject calls on the source
	Progress io.Writer     // the progress line; nil for none
	Now      func() time.Time
	Random   io.Reader
}

// Check statuses.
const (
	OK      = "ok"
	Fail    = "FAIL"
	Skipped = "skipped"
)

// Check is one thing verify looked at.
type Check struct {
	Name   string   `json:"name"`
	Status string   `json:"status"`
	Got    string   `json:"got,omitempty"`
	Want   string   `json:"want,omitempty"`
	Cause  string   `json:"cause,omitempty"` // the likely cause of a failure, or why a check was skipped
	Facts  []string `json:"facts,omitempty"` // docs/aws-requirements.md IDs that explain it
}

// BucketResult is what verify found for one source bucket.
type BucketResult struct {
	Bucket        string  `json:"bucket"`
	Region        string  `json:"region"`
	RegionFrom    string  `json:"regionFrom"`
	Prefix        string  `json:"prefix"`
	PrefixFrom    string  `json:"prefixFrom"`
	CanaryKey     string  `json:"canaryKey,omitempty"`
	VersionID     string  `json:"versionId,omitempty"`
	Status        string  `json:"replicationStatus,omitempty"`
	WaitedSeconds float64 `json:"waitedSeconds"`
	Checks        []Check `json:"checks"`
	OK            bool    `json:"ok"`

	body      []byte
	sourceSSE string
	sourceKey string
	ruleKey   string // ReplicaKmsKeyID of the rule, when read
	ruleClass string // the rule's destination storage class, when read and set (R4.13)
	ruleRead  bool   // the rule was read, so ruleClass is known
	ruleBad   *Check // the first failed rule check: the likely cause of a FAILED canary
	done      bool   // no further checks (the canary could not be written, or no rule)
}

// Report is the result of a run.
type Report struct {
	Target  Target         `json:"target"`
	Buckets []BucketResult `json:"buckets"`
	OK      bool           `json:"ok"`
}

// Run verifies every bucket of the target. The error is for what stops the whole run (credentials
// for the wrong account, for instance); a bucket that fails is in the report, with OK false.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	t := o.Target
	if err := checkIdentity(ctx, "source", o.Source, t.SourceAccount); err != nil {
		return nil, err
	}
	if err := checkIdentity(ctx, "archive", o.Archive, t.ArchiveAccount); err != nil {
		return nil, err
	}

	results := make([]*BucketResult, len(t.Buckets))
	for i, bucket := range t.Buckets {
		r := &BucketResult{Bucket: bucket}
		results[i] = r
		if r.Region, r.RegionFrom = o.bucketRegion(bucket); r.Region == "" {
			return nil, fmt.Errorf("no Region for the source bucket %s: the source stack's outputs have no %s for it, "+
				"and the source credentials name none. Fix: pass --source-region, or run `pulumi up` on the source stack so it publishes %s",
				bucket, bucketRegionsOutput, bucketRegionsOutput)
		}
		checkRule(ctx, o, r)
		if !r.done && o.ReadOnly {
			r.add(Check{Name: "canary written", Status: Skipped, Cause: "read-only run: no canary written, so replication itself is not proven"})
			r.done = true
		}
		if !r.done {
			writeCanary(ctx, o, r)
		}
	}
	wait(ctx, o, results)
	report := &Report{Target: t, OK: true}
	for _, r := range results {
		if !r.done {
			checkReplica(ctx, o, r)
		}
		r.OK = !slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Status == Fail })
		report.OK = report.OK && r.OK
		report.Buckets = append(report.Buckets, *r)
	}
	return report, nil
}

// checkIdentity calls sts:GetCallerIdentity, which needs no permission: bad, expired or missing
// credentials fail here with a message that says so, before anything is written.
func checkIdentity(ctx context.Context, side string, a Account, want string) error {
	out, err := a.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("the %s account's credentials (%s) do not work: %s. Fix: refresh them (e.g. `aws sso login`), "+
			"or name the right profile with --%s-profile", side, a.Credentials, describe(err), side)
	}
	if got := aws.ToString(out.Account); want != "" && got != want {
		return fmt.Errorf("the %s account's credentials (%s) are for account %s, but the %s stack is in account %s. "+
			"Fix: name a profile for %s with --%s-profile", side, a.Credentials, got, side, want, want, side)
	}
	return nil
}

// Describe is an AWS error's code and message, with what a credential error means (for the commands
// built on verify, such as fleet verify).
func Describe(err error) string { return describe(err) }

// describe is an AWS error's code and message, with what a credential error means.
func describe(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidClientTokenId", "InvalidAccessKeyId", "UnrecognizedClientException":
			return api.ErrorCode() + " (AWS does not know this access key)"
		case "SignatureDoesNotMatch":
			return api.ErrorCode() + " (the secret key does not belong to the access key)"
		case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
			return api.ErrorCode() + " (the session has expired)"
		}
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func (r *BucketResult) add(c Check) { r.Checks = append(r.Checks, c) }

// bucketRegion is where a source bucket is, and where that came from: the source stack's bucketRegions
// output, or, for outputs without it, the fallback Region.
func (o Options) bucketRegion(bucket string) (region, from string) {
	if region, ok := o.Target.BucketRegions[bucket]; ok {
		return region, "the source stack's " + bucketRegionsOutput
	}
	region, from = o.SourceRegion, o.SourceRegionFrom
	if region == "" && o.Source.S3 != nil {
		region = o.Source.S3.Options().Region
	}
	if from == "" {
		from = "the source credentials' Region"
	}
	if o.Target.BucketRegions != nil {
		from += "; the source stack's " + bucketRegionsOutput + " does not name this bucket"
	}
	return region, from
}

// in makes a source S3 call in the bucket's Region: S3 answers a bucket addressed through another
// Region's endpoint with 301 PermanentRedirect.
func (r *BucketResult) in() func(*s3.Options) {
	region := r.Region
	return func(o *s3.Options) { o.Region = region }
}

// wrongRegion says, for S3's answer to a bucket called in another Region than its own, where the bucket
// is and what to do; "" for any other error.
func (r *BucketResult) wrongRegion(err error) string {
	switch errorCode(err) {
	case "PermanentRedirect", "MovedPermanently", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
	default:
		return ""
	}
	actual := "another Region"
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if h := re.Response.Header.Get("x-amz-bucket-region"); h != "" {
			actual = h
		}
	}
	fix := "pass --source-region " + actual
	if actual == "another Region" {
		fix = "pass --source-region with the bucket's Region"
	}
	return fmt.Sprintf("the bucket is in %s, but verify called it in %s (from %s): %s, or run `pulumi up` on the source stack "+
		"so that its outputs carry %s", actual, r.Region, r.RegionFrom, fix, bucketRegionsOutput)
}

// checkRule reads the bucket's replication configuration and its log-archive rule: where the canary
// goes (the rule's prefix), and whether the rule says what the archive needs (R4.8, R4.9). It needs
// s3:GetReplicationConfiguration; without it the rule checks are skipped and --prefix decides.
func checkRule(ctx context.Context, o Options, r *BucketResult) {
	t := o.Target
	ruleID := contract.RuleID(t.ArchiveBucket)
	prefix, override := o.Prefixes[r.Bucket]
	r.Prefix, r.PrefixFrom = prefix, "--prefix"
	out, err := o.Source.S3.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String(r.Bucket), ExpectedBucketOwner: optional(t.SourceAccount)}, r.in())
	switch code := errorCode(err); {
	case err == nil:
	case code == "ReplicationConfigurationNotFoundError":
		r.add(Check{Name: "replication rule", Status: Fail, Got: "no replication configuration", Want: ruleID,
			Cause: "the bucket does not replicate: the source stack is not deployed, or another tool replaced its replication configuration (a bucket has only one)", Facts: []string{"R4.1"}})
		r.done = true
		return
	case code == "AccessDenied" || code == "Forbidden":
		if !override {
			r.PrefixFrom = "none: the rule could not be read; pass --prefix " + r.Bucket + "=PREFIX if the rule has one"
		}
		r.add(Check{Name: "replication rule", Status: Skipped, Cause: "s3:GetReplicationConfiguration denied to the source credentials"})
		return
	default:
		c := Check{Name: "replication rule", Status: Fail, Got: describe(err), Cause: "could not read the bucket's replication configuration"}
		if cause := r.wrongRegion(err); cause != "" {
			c.Cause = cause
		}
		r.add(c)
		r.done = true
		return
	}
	cfg := out.ReplicationConfiguration
	var rule *types.ReplicationRule
	for i := range cfg.Rules {
		if aws.ToString(cfg.Rules[i].ID) == ruleID {
			rule = &cfg.Rules[i]
		}
	}
	if rule == nil {
		r.add(Check{Name: "replication rule", Status: Fail, Got: "no rule " + ruleID, Want: ruleID,
			Cause: "the replication configuration is not the one the source stack writes: run `pulumi up` on the source stack"})
		r.done = true
		return
	}
	if !override {
		// A V1 rule, which another tool may have written, still carries the deprecated Prefix.
		//lint:ignore SA1019 verify reads what S3 returns, V1 rules included
		r.Prefix, r.PrefixFrom = aws.ToString(rule.Prefix), "the replication rule"
		if rule.Filter != nil && rule.Filter.Prefix != nil {
			r.Prefix = aws.ToString(rule.Filter.Prefix)
		}
	}
	check := func(name, got, want, cause string, facts ...string) {
		c := Check{Name: name, Status: OK, Got: got, Want: want}
		if got != want {
			c.Status, c.Cause, c.Facts = Fail, cause, facts
			if r.ruleBad == nil {
				r.ruleBad = &c
			}
		}
		r.add(c)
	}
	check("replication rule", string(rule.Status), "Enabled", "the rule is disabled: nothing replicates", "R4.4")
	dest := ""
	if rule.Destination != nil {
		dest = aws.ToString(rule.Destination.Bucket)
		if rule.Destination.EncryptionConfiguration != nil {
			r.ruleKey = aws.ToString(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID)
		}
		r.ruleClass, r.ruleRead = string(rule.Destination.StorageClass), true
	}
	check("rule destination", dest[strings.LastIndex(dest, ":")+1:], t.ArchiveBucket,
		"the rule replicates into another bucket: run `pulumi up` on the source stack")
	sse := ""
	if c := rule.SourceSelectionCriteria; c != nil && c.SseKmsEncryptedObjects != nil {
		sse = string(c.SseKmsEncryptedObjects.Status)
	}
	check("rule replicates SSE-KMS", sse, "Enabled", "SSE-KMS objects are not replicated without SseKmsEncryptedObjects", "R4.8")
	check("rule replica key", r.ruleKey, t.ArchiveKeyArn,
		"ReplicaKmsKeyID is not the archive key's full ARN: replication fails (DstKmsKeyNotFound) or replicas land under a key the archive cannot use", "R4.9", "R5.1")
	if t.RoleArn != "" {
		check("rule role", aws.ToString(cfg.Role), t.RoleArn,
			"the configuration names another role than the source stack's: the archive pins only its role (AssumeRoleNotPermitted or DstPutObjectNotPermitted)", "R2.4", "R1.1")
	}
}

// writeCanary puts a small, uniquely named object under the rule's prefix, as the source account.
func writeCanary(ctx context.Context, o Options, r *BucketResult) {
	var random [8]byte
	if _, err := io.ReadFull(o.Random, random[:]); err != nil {
		r.add(Check{Name: "canary written", Status: Fail, Got: err.Error()})
		r.done = true
		return
	}
	now := o.Now().UTC()
	r.CanaryKey = fmt.Sprintf("%s%s%s-%s.txt", r.Prefix, CanaryDir, now.Format("20060102T150405Z"), hex.EncodeToString(random[:]))
	r.body = fmt.Appendf(nil, "log-archive verify canary\nbucket: %s\nkey: %s\nwritten: %s\n", r.Bucket, r.CanaryKey, now.Format(time.RFC3339))
	// No SSE headers: the canary is encrypted as the bucket encrypts what the log services write.
	out, err := o.Source.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(r.Bucket), Key: aws.String(r.CanaryKey), Body: bytes.NewReader(r.body),
		ContentType: aws.String("text/plain"), ExpectedBucketOwner: optional(o.Target.SourceAccount),
	}, r.in())
	if err != nil {
		c := Check{Name: "canary written", Status: Fail, Got: describe(err),
			Cause: "the source credentials need s3:PutObject on the canary keys and kms:GenerateDataKey on the bucket's key (see --help)"}
		if cause := r.wrongRegion(err); cause != "" {
			c.Cause = cause
		}
		r.add(c)
		r.done = true
		return
	}
	r.VersionID = aws.ToString(out.VersionId)
	r.sourceSSE, r.sourceKey = string(out.ServerSideEncryption), aws.ToString(out.SSEKMSKeyId)
	r.add(Check{Name: "canary written", Status: OK, Got: r.CanaryKey})
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// NewAccount makes an account's clients from an AWS SDK configuration.
func NewAccount(cfg aws.Config, credentials string, s3Options ...func(*s3.Options)) Account {
	return Account{S3: s3.NewFromConfig(cfg, s3Options...), STS: sts.NewFromConfig(cfg), Credentials: credentials}
}

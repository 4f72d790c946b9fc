package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// wait polls the source canaries (HeadObject, x-amz-replication-status, R5.10) until each is COMPLETED
// or FAILED, or until the timeout, which all buckets share, runs out.
func wait(ctx context.Context, o Options, results []*BucketResult) {
	start := o.Now()
	deadline := start.Add(o.Timeout)
	for {
		waiting := 0
		for _, r := range results {
			if r.done || final(r.Status) {
				continue
			}
			out, err := o.Source.S3.HeadObject(ctx, &s3.HeadObjectInput{
				Bucket: aws.String(r.Bucket), Key: aws.String(r.CanaryKey), VersionId: optional(r.VersionID),
				ExpectedBucketOwner: optional(o.Target.SourceAccount),
			}, r.in())
			r.WaitedSeconds = o.Now().Sub(start).Seconds()
			if err != nil {
				r.add(Check{Name: "source status", Status: Fail, Got: describe(err),
					Cause: "the source credentials need s3:GetObject on the canary keys (HeadObject)"})
				r.done = true
				continue
			}
			r.Status = string(out.ReplicationStatus)
			if r.Status == "" {
				// S3 sets PENDING when it stores an object a rule covers; none means no rule does.
				r.add(Check{Name: "source status", Status: Fail, Got: "no replication status", Want: "COMPLETED",
					Cause: fmt.Sprintf("no replication rule covers %s: the rule's prefix is not %q (pass --prefix %s=PREFIX), or it filters by tag", r.CanaryKey, r.Prefix, r.Bucket),
					Facts: []string{"R4.4", "R5.10"}})
				r.done = true
				continue
			}
			if !final(r.Status) {
				waiting++
			}
		}
		progress(o, results, o.Now().Sub(start), waiting == 0)
		if waiting == 0 {
			return
		}
		remaining := deadline.Sub(o.Now())
		if remaining <= 0 || ctx.Err() != nil {
			for _, r := range results {
				if !r.done && !final(r.Status) {
					r.add(Check{Name: "source status", Status: Fail, Got: r.Status + " after " + o.Timeout.String(), Want: "COMPLETED",
						Cause: "still waiting: most objects replicate within 15 minutes, large ones take longer; rerun with a longer --timeout, " +
							"and watch OperationsPendingReplication and ReplicationLatency for the rule", Facts: []string{"R5.10", "R4.7"}})
					r.done = true
				}
			}
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(o.Poll, remaining)):
		}
	}
}

func final(status string) bool {
	switch status {
	case "COMPLETED", "COMPLETE", "FAILED":
		return true
	}
	return false
}

// progress rewrites one line: each bucket's status and the time waited.
func progress(o Options, results []*BucketResult, waited time.Duration, last bool) {
	if o.Progress == nil {
		return
	}
	var parts []string
	for _, r := range results {
		status := r.Status
		if status == "" {
			status = "-"
		}
		parts = append(parts, r.Bucket+" "+status)
	}
	end := ""
	if last {
		end = "\n"
	}
	fmt.Fprintf(o.Progress, "\rwaiting for replication (%s of %s): %s\033[K%s", waited.Round(time.Second), o.Timeout, strings.Join(parts, ", "), end)
}

// checkReplica looks at the replica as the archive account: it must be a REPLICA, encrypted with the
// archive key (R5.10, R4.9), readable, and locked when the archive has Object Lock (H3).
func checkReplica(ctx context.Context, o Options, r *BucketResult) {
	t := o.Target
	switch r.Status {
	case "FAILED":
		c := Check{Name: "source status", Status: Fail, Got: "FAILED", Want: "COMPLETED", Cause: likelyFailed,
			Facts: []string{"R5.4", "R5.9", "R2.1", "R2.4", "R1.13", "R1.18", "R1.1"}}
		if r.ruleBad != nil {
			c.Cause = "the rule is wrong (" + r.ruleBad.Name + "): " + r.ruleBad.Cause + ". The exact reason is the failureReason of the s3:Replication:OperationFailedReplication event (R5.4)"
			c.Facts = append(append([]string{}, r.ruleBad.Facts...), "R5.4", "R5.9")
		}
		r.add(c)
		return
	default:
		r.add(Check{Name: "source status", Status: OK, Got: r.Status, Want: "COMPLETED"})
	}

	// A replica keeps the source object's version ID, so this reads exactly the canary's replica.
	head, err := o.Archive.S3.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(t.ArchiveBucket), Key: aws.String(r.CanaryKey), VersionId: optional(r.VersionID),
		ExpectedBucketOwner: optional(t.ArchiveAccount),
	})
	if err != nil {
		c := Check{Name: "replica found", Status: Fail, Got: describe(err), Want: "s3://" + t.ArchiveBucket + "/" + r.CanaryKey}
		switch errorCode(err) {
		case "NotFound", "NoSuchKey", "NoSuchVersion":
			c.Cause = "the source says COMPLETED but the archive has no such version: the rule replicates into another bucket"
			c.Facts = []string{"R5.10"}
		case "Forbidden", "AccessDenied":
			c.Cause = "the archive credentials cannot read it: they need s3:GetObject on the archive's canary keys; if they have it, " +
				"the replica is owned by the source account (no owner override and BucketOwnerEnforced off)"
			c.Facts = []string{"R2.6", "R2.7", "R1.10"}
		}
		r.add(c)
		return
	}
	r.add(Check{Name: "replica found", Status: OK, Got: "version " + aws.ToString(head.VersionId)})

	status := Check{Name: "replica status", Status: OK, Got: string(head.ReplicationStatus), Want: "REPLICA"}
	if status.Got != status.Want {
		status.Status, status.Facts = Fail, []string{"R5.10"}
		status.Cause = "the archive object is not a replica S3 made: something else wrote this key"
	}
	r.add(status)

	enc := Check{Name: "replica encryption", Status: OK, Got: string(head.ServerSideEncryption), Want: "aws:kms"}
	if enc.Got != enc.Want {
		enc.Status, enc.Facts = Fail, []string{"R5.3"}
		enc.Cause = "replicas keep the source object's encryption type"
		if r.sourceSSE != "aws:kms" {
			enc.Cause += fmt.Sprintf("; the canary was stored %s at the source, so the bucket's default encryption is not SSE-KMS: set it to SSE-KMS with the bucket's key", orNone(r.sourceSSE))
		}
	}
	r.add(enc)

	key := Check{Name: "replica key", Status: OK, Got: aws.ToString(head.SSEKMSKeyId), Want: t.ArchiveKeyArn}
	if key.Got != key.Want {
		key.Status, key.Facts = Fail, []string{"R4.9", "R5.1"}
		switch {
		case key.Got != "" && key.Got == r.sourceKey:
			key.Cause = "the replica is under the source object's key, which the archive cannot use: the rule lacks ReplicaKmsKeyID = archiveKeyArn"
			key.Facts = []string{"R4.8", "R4.9", "R5.1"}
		case r.ruleKey != "" && r.ruleKey != t.ArchiveKeyArn:
			key.Cause = fmt.Sprintf("the rule's ReplicaKmsKeyID is %s, not the archive key's full ARN: an alias resolves in the source account", r.ruleKey)
		default:
			key.Cause = "the replica is not under the archive key, so the archive may not be able to read it (aws/s3 or a source-account key)"
		}
	}
	r.add(key)

	// HeadObject reports the class only when it is not STANDARD. Without a class in the rule the replica
	// keeps the canary's, STANDARD (R4.13).
	class := Check{Name: "replica storage class", Status: OK, Got: orDefault(string(head.StorageClass), "STANDARD"), Want: orDefault(r.ruleClass, "STANDARD")}
	if !r.ruleRead {
		class.Want = "" // the rule could not be read: nothing to compare with
	}
	if class.Want != "" && class.Got != class.Want {
		class.Status, class.Facts = Fail, []string{"R4.13"}
		class.Cause = "the replica is not in the storage class the rule names: the rule was changed after the canary replicated, or another rule wrote it"
	}
	r.add(class)

	// R5.11: an archived replica answers GetObject with InvalidObjectState until it is restored, so its
	// body is not read; status, key and lock come from HeadObject above.
	if tier := string(head.ArchiveStatus); tier != "" || archivedClass(class.Got) {
		where := "storage class " + class.Got
		if tier != "" {
			where += ", tier " + tier
		}
		r.add(Check{Name: "replica readable", Status: Skipped, Got: "body not read: " + where, Want: "GetObject returns the canary",
			Cause: "S3 answers GetObject on an object in " + where + " with InvalidObjectState until it is restored (RestoreObject), " +
				"so verify did not read the body; replication status, key and lock were checked with HeadObject", Facts: []string{"R5.11", "R4.13"}})
	} else {
		r.add(readReplica(ctx, o, r))
	}

	if t.ObjectLock {
		lock := Check{Name: "replica object lock", Status: OK, Want: "a mode and a retain-until date in the future"}
		until := aws.ToTime(head.ObjectLockRetainUntilDate)
		lock.Got = fmt.Sprintf("%s until %s", orNone(string(head.ObjectLockMode)), until.UTC().Format(time.RFC3339))
		if head.ObjectLockMode == "" || !until.After(o.Now()) {
			lock.Status, lock.Facts = Fail, []string{"H3", "R1.7", "H8"}
			lock.Got = "none"
			if head.ObjectLockMode != "" {
				lock.Got = fmt.Sprintf("%s until %s (expired)", head.ObjectLockMode, until.UTC().Format(time.RFC3339))
			}
			lock.Cause = "the archive has Object Lock, but this replica is not locked: replicas take the source's Object Lock settings, " +
				"so the archive's default retention may not apply to replicas of unlocked sources. Lock at the source where WORM must hold " +
				"end to end: default retention on a source bucket whose writers send the checksum Object Lock requires, which no AWS page " +
				"shows GuardDuty, CloudTrail or VPC Flow Logs doing (H8). (HeadObject also omits the lock without s3:GetObjectRetention.)"
		}
		r.add(lock)
	}
}

// readReplica reads the replica back: readable by the archive account and byte for byte the canary.
func readReplica(ctx context.Context, o Options, r *BucketResult) Check {
	t := o.Target
	c := Check{Name: "replica readable", Status: OK, Want: "GetObject returns the canary"}
	get, err := o.Archive.S3.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(t.ArchiveBucket), Key: aws.String(r.CanaryKey), VersionId: optional(r.VersionID),
		ExpectedBucketOwner: optional(t.ArchiveAccount),
	})
	if errorCode(err) == "InvalidObjectState" { // archived after HeadObject looked: not the key's fault
		c.Status, c.Got, c.Facts = Skipped, "body not read: "+describe(err), []string{"R5.11"}
		c.Cause = "the replica is archived (GLACIER, DEEP_ARCHIVE or an Intelligent-Tiering archive tier) and S3 serves it only after a restore; replication status, key and lock were checked with HeadObject"
		return c
	}
	if err != nil {
		c.Status, c.Got = Fail, describe(err)
		c.Cause = "the archive account cannot read the replica: if the replica is under a key other than the archive key, that key " +
			"is the cause; otherwise the archive credentials need s3:GetObject on the canary keys and kms:Decrypt on the archive key"
		c.Facts = []string{"R5.1", "R4.9", "R1.17"}
		return c
	}
	defer get.Body.Close()
	body, err := io.ReadAll(get.Body)
	switch {
	case err != nil:
		c.Status, c.Got = Fail, err.Error()
	case !bytes.Equal(body, r.body):
		c.Status, c.Got = Fail, fmt.Sprintf("%d bytes that differ from the canary", len(body))
		c.Cause = "the archive holds other content under the canary's key and version"
	default:
		c.Got = fmt.Sprintf("%d bytes, as written", len(body))
	}
	return c
}

// archivedClass says whether objects of a storage class must be restored before GetObject (R5.11).
func archivedClass(class string) bool { return class == "GLACIER" || class == "DEEP_ARCHIVE" }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

package deployer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// OutOfScope is what the generated policy does not cover, said in every output.
var OutOfScope = []string{
	"the Pulumi CLI's own access to its state: with an S3 backend its bucket and objects, and the KMS key of an awskms:// secrets provider (reading another stack's outputs through a StackReference is such a read)",
	"anything outside this stack's plan: other stacks, SCPs and permissions boundaries, which can still deny what this policy allows",
	"what the stack's resources do once they exist (the replication role's own policy is a resource here, not a permission of the deployer)",
}

// WriteText writes the policy for a reader: a header of # comments (what it covers, the deletes it leaves
// out and why, what is out of scope), then each policy document as indented JSON.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	c := func(format string, args ...any) { fmt.Fprintf(&b, "# "+format+"\n", args...) }
	c("Deployer policy for stack %s: the IAM permissions a deploying principal needs for `pulumi preview`,", r.Stack)
	c("`pulumi up` (create, refresh, update) and `pulumi destroy` of exactly the resources this stack's plan")
	c("manages, in account %s, Region %s (partition %s). Each action list comes from the Terraform AWS", r.Account, r.Region, r.Partition)
	c("provider's implementation of the resource, which pulumi-aws v6 bridges (internal/catalog/table.go).")
	c("")
	if len(r.Withheld) > 0 {
		c("Delete permissions NOT granted: Pulumi never deletes these resources (destroy refuses a protected one,")
		c("and only drops a retained one from the state), so a deployer holding this policy cannot delete them either:")
		for _, k := range r.Withheld {
			c("  - %s %s [%s]: %s", k.Type, k.URN[strings.LastIndex(k.URN, "::")+2:], k.Reason, strings.Join(k.Actions, ", "))
		}
		c("Deletes that are the same call as an update stay granted with the update: suspending versioning, and")
		c("removing a bucket's encryption, lifecycle, ownership controls, public access block, replication or")
		c("Object Lock default retention (each is its s3:Put* action).")
		c("")
	}
	c("Every IAM role the stack creates must have the permissions boundary")
	c("  %s", r.Boundary)
	c("which an administrator creates first (`plan deployer-policy --boundary`). The Deny statements keep")
	c("the holder from creating or changing a role without it, removing it, changing the boundary policy,")
	c("assuming the stack's roles or changing its own role and policies (docs/deployer-policy.md).")
	c("")
	for _, n := range r.Notes {
		c("Note: %s.", n)
	}
	c("Generated from the program and this stack file: regenerate after changing either.")
	c("Not covered:")
	for _, o := range OutOfScope {
		c("  - %s", o)
	}
	if len(r.Policies) > 1 {
		c("")
		c("The permissions are over the %d-character limit of one managed policy: attach all %d policies below.", r.Limit, len(r.Policies))
	}
	for i, p := range r.Policies {
		doc, err := json.MarshalIndent(p.Document, "", "  ")
		if err != nil {
			return err
		}
		b.WriteString("\n")
		c("Policy %d of %d: %s, %d of %d characters (IAM counts them without whitespace)", i+1, len(r.Policies), p.Name, p.Size, r.Limit)
		b.Write(doc)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

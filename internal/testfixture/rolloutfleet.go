package testfixture

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FleetSource names the n-th generated source stack (from 1).
func FleetSource(n int) string { return fmt.Sprintf("src-%05d", n) }

// FleetAccount is the n-th generated source stack's account.
func FleetAccount(n int) string { return fmt.Sprintf("5%011d", n) }

// WriteFleet turns the fixture project in dir (Copy) into a fleet: the archive admits its AWS
// Organization, and n source stacks, each in its own account, are generated from Pulumi.source.yaml
// with an entry each in .github/stacks.yaml; the first canary of them are in the canary wave. The
// fixture's own source stacks are removed, so the stacks are the archive and src-00001 to src-n.
func WriteFleet(dir string, n, canary int) error {
	src, err := os.ReadFile(filepath.Join(dir, "Pulumi.source.yaml"))
	if err != nil {
		return err
	}
	fixtures, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range fixtures {
		if filepath.Base(f) == "Pulumi.destination.yaml" {
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	dst := filepath.Join(dir, "Pulumi.destination.yaml")
	archive, err := os.ReadFile(dst)
	if err != nil {
		return err
	}
	withOrg := strings.Replace(string(archive), "config:\n", "config:\n  log-archive:sourceOrganization:\n    id: o-a1b2c3d4e5\n", 1)
	if err := os.WriteFile(dst, []byte(withOrg), 0o644); err != nil {
		return err
	}
	var mapping strings.Builder
	mapping.WriteString("stacks:\n  destination:\n    account: \"111111111111\"\n    region: eu-west-1\n" +
		"    role: arn:aws:iam::111111111111:role/log-archive-github-deployer\n" +
		"    previewRole: arn:aws:iam::111111111111:role/log-archive-github-previewer\n")
	for i := 1; i <= n; i++ {
		name, account := FleetSource(i), FleetAccount(i)
		text := strings.ReplaceAll(string(src), "222222222222", account)
		text = strings.ReplaceAll(text, "acme-workload-a", "acme-"+name)
		if err := os.WriteFile(filepath.Join(dir, "Pulumi."+name+".yaml"), []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&mapping, "  %s:\n    account: %q\n    region: eu-west-1\n    role: arn:aws:iam::%s:role/log-archive-github-deployer\n"+
			"    previewRole: arn:aws:iam::%s:role/log-archive-github-previewer\n", name, account, account, account)
		if i <= canary {
			mapping.WriteString("    wave: canary\n")
		}
	}
	return os.WriteFile(filepath.Join(dir, ".github", "stacks.yaml"), []byte(mapping.String()), 0o644)
}

import { PageHeader } from "@/components/ui/page-header";

export default function RulesPage() {
  return <PageHeader title="Webhook Rules" />;
}

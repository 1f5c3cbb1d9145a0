-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'VIEWER');

-- CreateEnum
CREATE TYPE "ReferenceKind" AS ENUM ('LEAD_STATUS', 'LEAD_SUBSTATUS', 'CASE_TYPE', 'OFFICE', 'OPPORTUNITY_SOURCE', 'MARKETING_SOURCE');

-- CreateEnum
CREATE TYPE "AuthType" AS ENUM ('NONE', 'BASIC', 'DIGEST', 'OAUTH2', 'BEARER', 'API_KEY');

-- CreateEnum
CREATE TYPE "PayloadFormat" AS ENUM ('JSON', 'FORM', 'XML', 'TEMPLATE');

-- CreateEnum
CREATE TYPE "SignatureScheme" AS ENUM ('STANDARD', 'HMAC_HEX');

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "webhooksEnabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'VIEWER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "secretEncrypted" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "SigningKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferenceItem" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "kind" "ReferenceKind" NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "parentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferenceItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookRule" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "events" TEXT[],
    "url" TEXT NOT NULL,
    "method" TEXT NOT NULL DEFAULT 'POST',
    "statusId" TEXT,
    "substatusId" TEXT,
    "officeId" TEXT,
    "opportunitySourceId" TEXT,
    "marketingSourceId" TEXT,
    "requiresCaseTrackerCode" BOOLEAN NOT NULL DEFAULT false,
    "authType" "AuthType" NOT NULL DEFAULT 'NONE',
    "authConfigEncrypted" TEXT,
    "headers" JSONB NOT NULL DEFAULT '[]',
    "fieldMappings" JSONB NOT NULL DEFAULT '[]',
    "payloadFormat" "PayloadFormat" NOT NULL DEFAULT 'JSON',
    "payloadTemplate" TEXT,
    "responseRules" JSONB NOT NULL DEFAULT '{}',
    "retryPolicy" JSONB NOT NULL DEFAULT '{}',
    "timeoutMs" INTEGER NOT NULL DEFAULT 10000,
    "signatureScheme" "SignatureScheme" NOT NULL DEFAULT 'STANDARD',
    "disabledReason" TEXT,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleCaseType" (
    "ruleId" TEXT NOT NULL,
    "caseTypeId" TEXT NOT NULL,

    CONSTRAINT "RuleCaseType_pkey" PRIMARY KEY ("ruleId","caseTypeId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "User_organizationId_idx" ON "User"("organizationId");

-- CreateIndex
CREATE INDEX "SigningKey_organizationId_expiresAt_idx" ON "SigningKey"("organizationId", "expiresAt");

-- CreateIndex
CREATE INDEX "ReferenceItem_organizationId_kind_position_idx" ON "ReferenceItem"("organizationId", "kind", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ReferenceItem_organizationId_kind_parentId_name_key" ON "ReferenceItem"("organizationId", "kind", "parentId", "name");

-- CreateIndex
CREATE INDEX "WebhookRule_organizationId_createdAt_idx" ON "WebhookRule"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookRule_organizationId_title_idx" ON "WebhookRule"("organizationId", "title");

-- CreateIndex
CREATE INDEX "RuleCaseType_caseTypeId_idx" ON "RuleCaseType"("caseTypeId");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SigningKey" ADD CONSTRAINT "SigningKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferenceItem" ADD CONSTRAINT "ReferenceItem_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferenceItem" ADD CONSTRAINT "ReferenceItem_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ReferenceItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_statusId_fkey" FOREIGN KEY ("statusId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_substatusId_fkey" FOREIGN KEY ("substatusId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_opportunitySourceId_fkey" FOREIGN KEY ("opportunitySourceId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookRule" ADD CONSTRAINT "WebhookRule_marketingSourceId_fkey" FOREIGN KEY ("marketingSourceId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleCaseType" ADD CONSTRAINT "RuleCaseType_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "WebhookRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleCaseType" ADD CONSTRAINT "RuleCaseType_caseTypeId_fkey" FOREIGN KEY ("caseTypeId") REFERENCES "ReferenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

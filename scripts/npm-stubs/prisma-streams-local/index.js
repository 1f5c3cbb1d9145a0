throw new Error("Prisma Streams is not installed with Leadhooks (it needs Node 22); `prisma dev` streams are unavailable.");

import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tracemark API",
        version: "1.0.0",
        description: "Tamper-evident provenance and evidence notarization for live-stream e-commerce.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", description: "A Tracemark API key: tmk_<id>_<secret>" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}

export default fp(swaggerPlugin, { name: "tracemark-swagger" });

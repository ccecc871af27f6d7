package dev.ratelimit.sample;

import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Bad input to the endpoints that take any (a stream's {@code seconds}, an assistant
 * query's body) answers {@code 400} with an RFC 9457 problem body, the format of the
 * limiter's own {@code 429}.
 *
 * @author rate-limit-spring-boot
 */
@RestControllerAdvice(assignableTypes = { GenerationStreamController.class, AssistantController.class })
class SampleProblemDetails extends ResponseEntityExceptionHandler {

}
